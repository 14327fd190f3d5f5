// SPDX-License-Identifier: MIT
//
// Compile-time test (nothing runs: the build compiles it with -fsyntax-only, for x86_64 and, when
// the 32-bit cross compiler exists, for i686): the connection number of Advise / Unadvise takes
// the type the SDK's declaration gives it. MinGW-w64's headers declare IMAPISession::Advise and
// IMAPITable::Advise with `ULONG* lpulConnection` and Unadvise with `ULONG`; Microsoft's Outlook
// MAPI headers with `ULONG_PTR*` and `ULONG_PTR` (64 bits on Win64). Only MinGW's headers are
// installed here, so the two declarations are repeated below as fake interfaces, and the helpers
// session.hpp and notification.hpp call (`detail::advise_call`, `detail::unadvise_call`) are
// instantiated with both and run in constant evaluation: the largest number either can hand out
// must come back from Advise and reach Unadvise whole.
#include <mapixx/win32/backend.hpp>
#include <mapixx/win32/detail/advise.hpp>
#include <mapixx/win32/session.hpp>

#include <limits>
#include <type_traits>
#include <utility>

namespace win32_advise_connection_tests {

namespace mw = mapixx::win32;
namespace md = mapixx::win32::detail;

// IMAPISession's Advise and Unadvise as MinGW-w64's mapix.h declares them.
struct mingw_session {
    virtual HRESULT STDMETHODCALLTYPE Advise(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulEventMask,
                                             LPMAPIADVISESINK lpAdviseSink, ULONG* lpulConnection) = 0;
    virtual HRESULT STDMETHODCALLTYPE Unadvise(ULONG ulConnection) = 0;
};
// The same as Microsoft's mapix.h declares them.
struct sdk_session {
    virtual HRESULT STDMETHODCALLTYPE Advise(ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulEventMask,
                                             LPMAPIADVISESINK lpAdviseSink, ULONG_PTR* lpulConnection) = 0;
    virtual HRESULT STDMETHODCALLTYPE Unadvise(ULONG_PTR ulConnection) = 0;
};
// IMAPITable's, as MinGW-w64's mapidefs.h declares them.
struct mingw_table {
    virtual HRESULT STDMETHODCALLTYPE Advise(ULONG ulEventMask, LPMAPIADVISESINK lpAdviseSink,
                                             ULONG* lpulConnection) = 0;
    virtual HRESULT STDMETHODCALLTYPE Unadvise(ULONG ulConnection) = 0;
};
// The same as Microsoft's mapidefs.h declares them.
struct sdk_table {
    virtual HRESULT STDMETHODCALLTYPE Advise(ULONG ulEventMask, LPMAPIADVISESINK lpAdviseSink,
                                             ULONG_PTR* lpulConnection) = 0;
    virtual HRESULT STDMETHODCALLTYPE Unadvise(ULONG_PTR ulConnection) = 0;
};

// The trait reads the type from each declaration.
static_assert(std::is_same_v<md::advise_connection_of<mingw_session>, ULONG>);
static_assert(std::is_same_v<md::unadvise_connection_of<mingw_session>, ULONG>);
static_assert(std::is_same_v<md::advise_connection_of<sdk_session>, ULONG_PTR>);
static_assert(std::is_same_v<md::unadvise_connection_of<sdk_session>, ULONG_PTR>);
static_assert(std::is_same_v<md::advise_connection_of<mingw_table>, ULONG>);
static_assert(std::is_same_v<md::unadvise_connection_of<mingw_table>, ULONG>);
static_assert(std::is_same_v<md::advise_connection_of<sdk_table>, ULONG_PTR>);
static_assert(std::is_same_v<md::unadvise_connection_of<sdk_table>, ULONG_PTR>);
static_assert(std::is_same_v<md::com_last_parameter_t<decltype(&sdk_table::Advise)>, ULONG_PTR*>);

// The headers in use (MinGW-w64's here) give one of the two, and it fits.
template <class Interface>
inline constexpr bool sdk_or_mingw = std::is_same_v<md::advise_connection_of<Interface>, ULONG> ||
                                     std::is_same_v<md::advise_connection_of<Interface>, ULONG_PTR>;
static_assert(sdk_or_mingw<IMAPISession> && sdk_or_mingw<IMAPITable>);
static_assert(md::fits_advise_connection<IMAPISession> && md::fits_advise_connection<IMAPITable>);
#if defined(_WIN64)
static_assert(sizeof(ULONG_PTR) == 8 && sizeof(ULONG) == 4, "the case the trait exists for: Microsoft's type is wider");
#endif

// The public numbers are the 64-bit win32 type, which `backend::` names in a win32 build.
static_assert(std::is_same_v<mw::advise_connection, std::uint64_t>);
static_assert(std::is_same_v<mapixx::backend::advise_connection, mw::advise_connection>);
static_assert(std::is_same_v<decltype(std::declval<const mw::advise_registration&>().connection()), mw::advise_connection>);
static_assert(
    std::is_same_v<decltype(std::declval<const mw::advise_registration&>().status_table_connection()), mw::advise_connection>);
static_assert(std::is_same_v<decltype(std::declval<mw::advise_registration&>().release()), mw::advise_connection>);
static_assert(std::is_invocable_r_v<mapixx::result<void>, decltype(&mw::session::unadvise), mw::session&, mw::advise_connection>);

// Implementations of the fake interfaces that run in constant evaluation: Advise hands out
// `number` (or fails with E_FAIL, having written it all the same), Unadvise records its argument.
template <class Connection>
struct fake_state {
    Connection number = 0;
    bool fail = false;
    Connection unadvised = 0;

    constexpr HRESULT advise(Connection* out) {
        *out = number;
        return fail ? E_FAIL : S_OK;
    }
    constexpr HRESULT unadvise(Connection c) {
        unadvised = c;
        return S_OK;
    }
};
template <class Interface, class Connection>
struct fake_session final : Interface, fake_state<Connection> {
    constexpr HRESULT STDMETHODCALLTYPE Advise(ULONG, LPENTRYID, ULONG, LPMAPIADVISESINK, Connection* out) override {
        return this->advise(out);
    }
    constexpr HRESULT STDMETHODCALLTYPE Unadvise(Connection c) override { return this->unadvise(c); }
};
template <class Interface, class Connection>
struct fake_table final : Interface, fake_state<Connection> {
    constexpr HRESULT STDMETHODCALLTYPE Advise(ULONG, LPMAPIADVISESINK, Connection* out) override {
        return this->advise(out);
    }
    constexpr HRESULT STDMETHODCALLTYPE Unadvise(Connection c) override { return this->unadvise(c); }
};

// Advise then Unadvise through the interface, as session.hpp and notification.hpp call them:
// `number` must come back whole and reach Unadvise whole.
template <class Interface, template <class, class> class Fake, class Connection, class... Args>
constexpr bool round_trip(Connection number, Args... args) {
    Fake<Interface, Connection> fake;
    fake.number = number;
    Interface* object = &fake;
    mw::advise_connection c = 7;
    if (md::advise_call(object, c, args...) != S_OK || c != number) return false;
    if (md::unadvise_call(object, c) != S_OK) return false;
    return fake.unadvised == number;
}
// A failed Advise leaves 0, whatever MAPI wrote.
template <class Interface, template <class, class> class Fake, class Connection, class... Args>
constexpr bool failure_gives_zero(Connection number, Args... args) {
    Fake<Interface, Connection> fake;
    fake.number = number;
    fake.fail = true;
    Interface* object = &fake;
    mw::advise_connection c = 7;
    return md::advise_call(object, c, args...) == E_FAIL && c == 0;
}

constexpr ULONG mingw_max = std::numeric_limits<ULONG>::max();
constexpr ULONG_PTR sdk_max = std::numeric_limits<ULONG_PTR>::max();
constexpr ULONG_PTR sdk_top_bit = ULONG_PTR{1} << (8 * sizeof(ULONG_PTR) - 1);
constexpr LPMAPIADVISESINK no_sink = nullptr;
constexpr std::uint32_t events = mw::default_advise_events;

// The session's call: Advise(0, NULL, events, sink, &connection).
static_assert(round_trip<mingw_session, fake_session>(mingw_max, 0, nullptr, events, no_sink));
static_assert(round_trip<mingw_session, fake_session>(ULONG{100}, 0, nullptr, events, no_sink));
static_assert(round_trip<sdk_session, fake_session>(sdk_max, 0, nullptr, events, no_sink));
static_assert(round_trip<sdk_session, fake_session>(sdk_top_bit, 0, nullptr, events, no_sink));
static_assert(failure_gives_zero<mingw_session, fake_session>(mingw_max, 0, nullptr, events, no_sink));
static_assert(failure_gives_zero<sdk_session, fake_session>(sdk_max, 0, nullptr, events, no_sink));
// The status table's call: Advise(fnevTableModified, sink, &connection).
static_assert(round_trip<mingw_table, fake_table>(mingw_max, ULONG{fnevTableModified}, no_sink));
static_assert(round_trip<sdk_table, fake_table>(sdk_max, ULONG{fnevTableModified}, no_sink));
static_assert(round_trip<sdk_table, fake_table>(sdk_top_bit, ULONG{fnevTableModified}, no_sink));
static_assert(failure_gives_zero<sdk_table, fake_table>(sdk_max, ULONG{fnevTableModified}, no_sink));

} // namespace win32_advise_connection_tests
