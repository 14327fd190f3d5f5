// SPDX-License-Identifier: MIT
/// \file
/// Conversions between `property_bag` and the SDK's SPropValue arrays, for the transport
/// adapter (`transport_adapter.hpp`). Compiled only for Windows (`_WIN32`).
#ifndef MAPIXX_WIN32_DETAIL_XP_PROPS_HPP_INCLUDED
#define MAPIXX_WIN32_DETAIL_XP_PROPS_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/prop.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/sdk.hpp>

#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace mapixx::inline v0::win32::detail {

/// An SPropValue array built from a `property_bag`, with the storage its pointers refer to.
///
/// Kept properties: PT_I2, PT_LONG, PT_BOOLEAN, PT_I8, PT_DOUBLE, PT_ERROR, PT_SYSTIME,
/// PT_STRING8 (converted to the ANSI code page), PT_UNICODE (to UTF-16) and PT_BINARY. Other
/// types (multi-valued ones, PT_CLSID, PT_OBJECT) are left out of the array; `skipped()` counts
/// them. Not copyable or movable: the array points into the object itself.
class sprop_array {
public:
    /// Converts `bag`. Throws: `std::bad_alloc`.
    explicit sprop_array(const property_bag& bag)
    {
        values_.reserve(bag.size());
        for (const prop_value& v : bag) {
            SPropValue out{};
            out.ulPropTag = v.tag().value();
            const prop_data& d = v.data();
            switch (v.tag().type()) {
            case prop_type::i2:
                out.Value.i = *std::get_if<std::int16_t>(&d);
                break;
            case prop_type::i4:
                out.Value.l = *std::get_if<std::int32_t>(&d);
                break;
            case prop_type::boolean:
                out.Value.b = *std::get_if<bool>(&d) ? 1 : 0;
                break;
            case prop_type::i8:
                out.Value.li.QuadPart = *std::get_if<std::int64_t>(&d);
                break;
            case prop_type::r8:
                out.Value.dbl = *std::get_if<double>(&d);
                break;
            case prop_type::error:
                out.Value.err = static_cast<SCODE>(static_cast<std::uint32_t>(*std::get_if<scode>(&d)));
                break;
            case prop_type::systime: {
                const std::uint64_t t = std::get_if<filetime>(&d)->ticks;
                out.Value.ft.dwLowDateTime = static_cast<DWORD>(t & 0xFFFFFFFFu);
                out.Value.ft.dwHighDateTime = static_cast<DWORD>(t >> 32);
                break;
            }
            case prop_type::string8:
                narrow_.push_back(to_ansi(*std::get_if<std::string>(&d)));
                out.Value.lpszA = narrow_.back().data();
                break;
            case prop_type::unicode:
                wide_.push_back(to_utf16(*std::get_if<std::string>(&d)));
                out.Value.lpszW = wide_.back().data();
                break;
            case prop_type::binary: {
                const binary& b = *std::get_if<binary>(&d);
                bytes_.push_back(b);
                out.Value.bin.cb = static_cast<ULONG>(b.size());
                out.Value.bin.lpb = bytes_.back().empty() ? nullptr : bytes_.back().data();
                break;
            }
            default:
                ++skipped_;
                continue;
            }
            values_.push_back(out);
        }
    }
    sprop_array(const sprop_array&) = delete;
    sprop_array& operator=(const sprop_array&) = delete;

    /// The number of values (cValues).
    [[nodiscard]] ULONG size() const noexcept { return static_cast<ULONG>(values_.size()); }
    /// The array (null when empty).
    [[nodiscard]] LPSPropValue data() noexcept { return values_.empty() ? nullptr : values_.data(); }
    /// The properties of the bag that have no SPropValue form here.
    [[nodiscard]] std::size_t skipped() const noexcept { return skipped_; }

private:
    std::vector<SPropValue> values_;
    std::deque<std::string> narrow_;   // deque: growing keeps the addresses of earlier strings
    std::deque<std::wstring> wide_;
    std::deque<binary> bytes_;
    std::size_t skipped_ = 0;
};

/// Adds the value `v` to `bag` if its type is one `sprop_array` knows (see there); PT_ERROR
/// values (a property the object could not return) and other types are left out.
/// Throws: `std::bad_alloc`.
inline void add_sprop(property_bag& bag, const SPropValue& v)
{
    const prop_tag tag{static_cast<std::uint32_t>(v.ulPropTag)};
    result<void> r;
    switch (tag.type()) {
    case prop_type::i2: r = bag.set(tag, static_cast<std::int16_t>(v.Value.i)); break;
    case prop_type::i4: r = bag.set(tag, static_cast<std::int32_t>(v.Value.l)); break;
    case prop_type::boolean: r = bag.set(tag, v.Value.b != 0); break;
    case prop_type::i8: r = bag.set(tag, static_cast<std::int64_t>(v.Value.li.QuadPart)); break;
    case prop_type::r8: r = bag.set(tag, v.Value.dbl); break;
    case prop_type::systime:
        r = bag.set(tag, filetime{(static_cast<std::uint64_t>(v.Value.ft.dwHighDateTime) << 32) | v.Value.ft.dwLowDateTime});
        break;
    case prop_type::string8:
        r = bag.set(tag, ansi_to_utf8(v.Value.lpszA != nullptr ? v.Value.lpszA : ""));
        break;
    case prop_type::unicode:
        r = bag.set(tag, to_utf8(v.Value.lpszW != nullptr ? v.Value.lpszW : L""));
        break;
    case prop_type::binary: {
        binary b;
        if (v.Value.bin.lpb != nullptr && v.Value.bin.cb != 0) {
            b.assign(v.Value.bin.lpb, v.Value.bin.lpb + v.Value.bin.cb);
        }
        r = bag.set(tag, std::move(b));
        break;
    }
    default:
        break;
    }
    static_cast<void>(r);  // a value the bag refuses is simply not carried over
}

} // namespace mapixx::inline v0::win32::detail

#endif // _WIN32
#endif
