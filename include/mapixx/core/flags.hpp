// SPDX-License-Identifier: MIT
/// \file
/// `flags<E>`: a typed set of MAPI flag bits with the SDK's exact values, the rules between
/// flags, and `checked_flags<E>`, which rejects a constant set that breaks a rule at compile time.
#ifndef MAPIXX_CORE_FLAGS_HPP_INCLUDED
#define MAPIXX_CORE_FLAGS_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace mapixx::inline v0 {

/// The functions a constant flag set that breaks a rule calls at compile time. None of them is
/// constexpr, so the call makes the program ill-formed and the compiler's error names the
/// function, whose name states the rule (g++ and clang++ print the name, not any string
/// argument). `broken_rule` / `check_rules` give the same rule as a sentence at run time.
namespace compile_time_errors {
inline void invalid_flag_combination_bits_the_SDK_does_not_define_are_set() {}
inline void invalid_flag_combination() {}
} // namespace compile_time_errors

/// One enumerator of a flag enum with its SDK name (`MAPI_LOGON_UI`).
template <class E>
struct flag_name {
    E value;
    std::string_view sdk_name;
};

/// A rule that a combination of flags breaks: the code the run-time check returns, the rule
/// as a sentence, and how to fix it.
struct flag_rule {
    scode code;
    std::string_view rule;
    std::string_view fix;
    /// A function that is deliberately not constexpr and whose name states the rule: a constant
    /// `checked_flags<E>` that breaks the rule calls it, so the compiler's error names it
    /// (`invalid_flag_combination_a_service_MAPI_NT_SERVICE_must_also_pass_MAPI_NO_MAIL`).
    void (*reject)() = nullptr;
};

/// Opt-in traits that make a scoped enum a flag enum. A specialisation provides:
/// - `static constexpr std::array<flag_name<E>, N> names`: every enumerator and its SDK name;
/// - `static constexpr std::string_view family`: what the flags are for ("MAPILogonEx flags");
/// - `static constexpr std::optional<flag_rule> check(std::uint32_t bits) noexcept`: the first
///   rule the (known) bits break, or nullopt. Unknown bits are checked separately.
template <class E>
struct flag_traits;

/// A scoped enum over `std::uint32_t` that has `flag_traits`.
template <class E>
concept flag_enum = std::is_enum_v<E> && std::is_same_v<std::underlying_type_t<E>, std::uint32_t> &&
                    requires {
                        flag_traits<E>::names;
                        flag_traits<E>::family;
                        { flag_traits<E>::check(std::uint32_t{}) } -> std::same_as<std::optional<flag_rule>>;
                    };

namespace detail {
template <class E>
constexpr std::uint32_t known_bits() noexcept {
    std::uint32_t all = 0;
    for (const auto& n : flag_traits<E>::names) all |= static_cast<std::uint32_t>(n.value);
    return all;
}
template <class E>
constexpr bool names_are_single_distinct_bits() noexcept {
    std::uint32_t seen = 0;
    for (const auto& n : flag_traits<E>::names) {
        const auto v = static_cast<std::uint32_t>(n.value);
        if (!std::has_single_bit(v) || (seen & v) != 0 || n.sdk_name.empty()) return false;
        seen |= v;
    }
    return true;
}
} // namespace detail

template <flag_enum E>
class flag_mask;

/// A set of flags of one enum. Trivially copyable, the size of a `std::uint32_t`, and `bits()`
/// is exactly the value to pass to the SDK. Sets of two different enums never mix.
///
/// \code
/// constexpr flags<logon_flag> f = logon_flag::extended | logon_flag::new_session;
/// static_assert(f.bits() == 0x22 && f.has(logon_flag::new_session));
/// \endcode
template <flag_enum E>
class flags {
    static_assert(detail::names_are_single_distinct_bits<E>(),
                  "every enumerator of a flag enum must be one distinct bit with an SDK name");

public:
    using enum_type = E;
    /// Every bit the SDK defines for this family.
    static constexpr std::uint32_t known = detail::known_bits<E>();

    constexpr flags() noexcept = default;
    constexpr flags(E e) noexcept : bits_(static_cast<std::uint32_t>(e)) {}  // NOLINT: implicit on purpose

    /// Wraps raw bits without checking them. Named so that it is easy to find.
    [[nodiscard]] static constexpr flags from_bits_unchecked(std::uint32_t bits) noexcept {
        flags f;
        f.bits_ = bits;
        return f;
    }
    /// Wraps raw bits; `unknown_flags` (with the unknown bits in the message) if any bit is not
    /// defined for this family. Rules between flags are not checked here: see `check_rules`.
    [[nodiscard]] static result<flags> from_bits(std::uint32_t bits) {
        if (const std::uint32_t unknown = bits & ~known; unknown != 0) {
            return fail(scode::unknown_flags,
                        std::string(flag_traits<E>::family) + ": bits " + detail::hex32(unknown) +
                            " are not defined (known bits: " + detail::hex32(known) + ")",
                        "mapixx.flags", unknown);
        }
        return from_bits_unchecked(bits);
    }

    /// The value to pass to the SDK.
    [[nodiscard]] constexpr std::uint32_t bits() const noexcept { return bits_; }
    /// True if `e` is set.
    [[nodiscard]] constexpr bool has(E e) const noexcept {
        return (bits_ & static_cast<std::uint32_t>(e)) == static_cast<std::uint32_t>(e);
    }
    /// True if every flag of `other` is set.
    [[nodiscard]] constexpr bool contains(flags other) const noexcept { return (bits_ & other.bits_) == other.bits_; }
    /// True if any flag of `other` is set.
    [[nodiscard]] constexpr bool any_of(flags other) const noexcept { return (bits_ & other.bits_) != 0; }
    /// True if no bit is set.
    [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }
    /// The bits that this family does not define (0 for sets built from enumerators).
    [[nodiscard]] constexpr std::uint32_t unknown_bits() const noexcept { return bits_ & ~known; }
    /// The same set without `other`.
    [[nodiscard]] constexpr flags without(flags other) const noexcept { return from_bits_unchecked(bits_ & ~other.bits_); }

    constexpr flags& operator|=(flags o) noexcept { bits_ |= o.bits_; return *this; }
    constexpr flags& operator&=(flag_mask<E> m) noexcept;
    friend constexpr flags operator|(flags a, flags b) noexcept { return from_bits_unchecked(a.bits_ | b.bits_); }
    friend constexpr flags operator|(flags a, E b) noexcept { return a | flags(b); }
    friend constexpr flags operator|(E a, flags b) noexcept { return flags(a) | b; }
    friend constexpr flags operator&(flags a, flags b) noexcept { return from_bits_unchecked(a.bits_ & b.bits_); }
    friend constexpr flags operator&(flags a, E b) noexcept { return a & flags(b); }
    friend constexpr flags operator^(flags a, flags b) noexcept { return from_bits_unchecked(a.bits_ ^ b.bits_); }
    /// The complement, as a mask: it can only be `&`-ed into a set, never `|`-ed.
    friend constexpr flag_mask<E> operator~(flags a) noexcept { return flag_mask<E>(~a.bits_); }
    friend constexpr bool operator==(flags, flags) noexcept = default;

private:
    std::uint32_t bits_ = 0;
};

/// The complement of a flag set. Only `set & mask` and `set &= mask` accept it, so
/// `set |= ~flag` does not compile.
template <flag_enum E>
class flag_mask {
public:
    constexpr explicit flag_mask(std::uint32_t bits) noexcept : bits_(bits) {}
    [[nodiscard]] constexpr std::uint32_t bits() const noexcept { return bits_; }
    friend constexpr flags<E> operator&(flags<E> f, flag_mask m) noexcept {
        return flags<E>::from_bits_unchecked(f.bits() & m.bits_);
    }
    friend constexpr flag_mask operator~(flag_mask m) noexcept { return flag_mask(~m.bits_); }

private:
    std::uint32_t bits_;
};

template <flag_enum E>
constexpr flags<E>& flags<E>::operator&=(flag_mask<E> m) noexcept {
    bits_ &= m.bits();
    return *this;
}

/// `a | b` on two enumerators of one flag enum gives a `flags<E>`.
template <flag_enum E>
constexpr flags<E> operator|(E a, E b) noexcept {
    return flags<E>(a) | flags<E>(b);
}
/// `~e` on an enumerator gives a mask.
template <flag_enum E>
constexpr flag_mask<E> operator~(E a) noexcept {
    return ~flags<E>(a);
}

static_assert(sizeof(std::uint32_t) == 4);

/// The SDK name of one enumerator (`"MAPI_NEW_SESSION"`).
template <flag_enum E>
[[nodiscard]] constexpr std::string_view sdk_name(E e) noexcept {
    for (const auto& n : flag_traits<E>::names) {
        if (n.value == e) return n.sdk_name;
    }
    return {};
}

/// Prints a set with SDK names: `"MAPI_LOGON_UI | MAPI_NEW_SESSION"`; unknown bits follow as
/// one hex value; the empty set is `"0"`.
template <flag_enum E>
[[nodiscard]] std::string to_string(flags<E> f) {
    std::string out;
    for (const auto& n : flag_traits<E>::names) {
        if (f.has(n.value)) {
            if (!out.empty()) out += " | ";
            out += n.sdk_name;
        }
    }
    if (const std::uint32_t unknown = f.unknown_bits(); unknown != 0) {
        if (!out.empty()) out += " | ";
        out += detail::hex32(unknown);
    }
    return out.empty() ? std::string("0") : out;
}

/// The first rule the set breaks, or nullopt. Unknown bits break the rule "only defined bits".
template <flag_enum E>
[[nodiscard]] constexpr std::optional<flag_rule> broken_rule(flags<E> f) noexcept {
    if (f.unknown_bits() != 0) {
        return flag_rule{scode::unknown_flags, "only bits the SDK defines may be set", "remove the unknown bits",
                         &compile_time_errors::invalid_flag_combination_bits_the_SDK_does_not_define_are_set};
    }
    return flag_traits<E>::check(f.bits());
}

/// The run-time form of the compile-time check: success, or the rule's code with a sentence
/// naming the flags, the rule and the fix.
template <flag_enum E>
[[nodiscard]] result<void> check_rules(flags<E> f) {
    if (auto r = broken_rule(f)) {
        return fail(r->code,
                    std::string(flag_traits<E>::family) + " " + to_string(f) + " break a rule: " +
                        std::string(r->rule) + "; " + std::string(r->fix) + ".",
                    "mapixx.flags", f.unknown_bits());
    }
    return {};
}

/// Marks a flag set computed at run time, to pass where a `checked_flags<E>` is expected; the
/// rules are then checked at run time by the API that receives it.
template <flag_enum E>
struct runtime_flags_t {
    flags<E> value;
};
/// See `runtime_flags_t`.
template <flag_enum E>
[[nodiscard]] constexpr runtime_flags_t<E> runtime_flags(flags<E> f) noexcept {
    return {f};
}
template <flag_enum E>
[[nodiscard]] constexpr runtime_flags_t<E> runtime_flags(E e) noexcept {
    return {flags<E>(e)};
}


/// A flag set whose rules are checked when it is built: at compile time for a constant
/// expression (a set that breaks a rule does not compile, and the diagnostic names a function of
/// `compile_time_errors` whose name states the rule),
/// or at run time for a set wrapped in `runtime_flags(...)`, which the API receiving it checks
/// with `check_rules`.
///
/// \code
/// checked_flags<logon_flag> ok = logon_flag::extended | logon_flag::new_session;
/// // checked_flags<logon_flag> bad = logon_flag::logon_ui | logon_flag::password_ui; // error
/// checked_flags<logon_flag> dyn = runtime_flags(read_from_config());
/// \endcode
template <flag_enum E>
class checked_flags {
public:
    constexpr checked_flags() noexcept = default;
    consteval checked_flags(E e) : checked_flags(flags<E>(e)) {}  // NOLINT: implicit on purpose
    consteval checked_flags(flags<E> f) : value_(f) {            // NOLINT: implicit on purpose
        if (auto r = broken_rule(f)) {
            if (r->reject) {
                r->reject();
            } else {
                compile_time_errors::invalid_flag_combination();
            }
        }
    }
    constexpr checked_flags(runtime_flags_t<E> r) noexcept : value_(r.value), runtime_(true) {}  // NOLINT

    /// The set.
    [[nodiscard]] constexpr flags<E> get() const noexcept { return value_; }
    constexpr operator flags<E>() const noexcept { return value_; }  // NOLINT: implicit on purpose
    /// True if the set came through `runtime_flags` and still needs `check_rules`.
    [[nodiscard]] constexpr bool checked_at_run_time() const noexcept { return runtime_; }
    [[nodiscard]] constexpr bool has(E e) const noexcept { return value_.has(e); }
    [[nodiscard]] constexpr std::uint32_t bits() const noexcept { return value_.bits(); }

private:
    flags<E> value_{};
    bool runtime_ = false;
};

} // namespace mapixx::inline v0

#endif
