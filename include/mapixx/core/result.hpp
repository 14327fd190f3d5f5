// SPDX-License-Identifier: MIT
/// \file
/// `result<T>`: a value or a MAPI failure (`scode` + `error_info`), and `mapi_error`.
#ifndef MAPIXX_CORE_RESULT_HPP_INCLUDED
#define MAPIXX_CORE_RESULT_HPP_INCLUDED

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/scode.hpp>

#include <cstdlib>
#include <exception>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace mapixx::inline v0 {

/// The exception `result<T>::value()` throws: a `std::system_error` in `mapi_category()` that
/// also carries the `error_info`. `what()` holds the code's name, hex value and the sentence.
class mapi_error : public std::system_error {
public:
    mapi_error(scode code, error_info info)
        : std::system_error(make_base(code, info.message)), info_(std::move(info)) {}
    explicit mapi_error(scode code) : mapi_error(code, error_info{}) {}

    /// The failing code.
    [[nodiscard]] scode code_value() const noexcept { return to_scode(code()); }
    /// The extended error information.
    [[nodiscard]] const error_info& info() const noexcept { return info_; }

private:
    // std::system_error(ec, what) always inserts ": " after `what`, even an empty one; without a
    // sentence, what() is just the code's message.
    static std::system_error make_base(scode code, const std::string& message) {
        return message.empty() ? std::system_error(make_error_code(code))
                               : std::system_error(make_error_code(code), message);
    }

    error_info info_;
};

/// A failure: a failing `scode` and its `error_info`. Converts to any `result<T>`.
struct failure {
    scode code = scode::call_failed;
    error_info info;
};

/// Builds a failure with a sentence. `component` names who reports it.
/// \pre `failed(code)`: success and warning codes are not errors.
[[nodiscard]] inline failure fail(scode code, std::string message = {},
                                  std::string component = "mapixx", std::uint32_t low_level = 0) {
    if (!failed(code)) std::abort();  // contract: a warning or success is not a failure
    return failure{code, error_info{std::move(component), std::move(message), low_level, 0, 0}};
}

/// Builds a failure from an `error_info` that is already filled in.
[[nodiscard]] inline failure fail(scode code, error_info info) {
    if (!failed(code)) std::abort();
    return failure{code, std::move(info)};
}

namespace detail {
template <class T>
struct result_storage {
    using type = T;
};
template <>
struct result_storage<void> {
    using type = std::monostate;
};
} // namespace detail

/// A value of type `T`, or a failure. Like `std::expected<T, failure>` (C++23), with MAPI's
/// twist that a success may carry a warning (`w_no_service`, `w_errors_returned`, ...), which is
/// not an error: `has_value()` is true and `warning()` says which.
///
/// `value()` on a failure throws `mapi_error`; `error()` returns the code as a
/// `std::error_code` in `mapi_category()` (empty on success).
///
/// \code
/// result<session> s = co_await mapi.logon({...});
/// if (!s) std::cerr << s.error().message() << ": " << s.info().message << '\n';
/// \endcode
template <class T>
class [[nodiscard]] result {
    using stored = typename detail::result_storage<T>::type;

public:
    using value_type = T;

    /// A success holding `T{}` (for `result<void>`: plain success).
    result() requires std::is_default_constructible_v<stored> : state_(std::in_place_index<0>) {}

    /// A success holding `value`.
    template <class U = stored>
        requires(!std::is_void_v<T> && std::is_constructible_v<stored, U &&> &&
                 !std::is_same_v<std::remove_cvref_t<U>, result> &&
                 !std::is_same_v<std::remove_cvref_t<U>, failure>)
    result(U&& value) : state_(std::in_place_index<0>, std::forward<U>(value)) {}

    /// A success holding `value` with a warning code.
    /// \pre `succeeded(warning)`.
    template <class U = stored>
        requires(!std::is_void_v<T> && std::is_constructible_v<stored, U &&>)
    result(U&& value, scode warning) : state_(std::in_place_index<0>, std::forward<U>(value)), warning_(warning) {
        if (failed(warning)) std::abort();
    }

    /// A failure.
    result(failure f) : state_(std::in_place_index<1>, std::move(f)) {}

    /// A success without a value, possibly with a warning (only for `result<void>`).
    static result success(scode warning = scode::success) requires std::is_void_v<T> {
        result r;
        if (failed(warning)) std::abort();
        r.warning_ = warning;
        return r;
    }

    /// True on success (warnings included).
    [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    /// The value; throws `mapi_error` with the failure's code and info.
    decltype(auto) value() & { return checked(*this); }
    decltype(auto) value() const& { return checked(*this); }
    /// On an rvalue the value is moved out and returned by value (not as `T&&`), so
    /// `for (auto& x : make().value())` does not iterate a destroyed temporary.
    T value() && {
        if constexpr (std::is_void_v<T>) {
            throw_if_failed();
        } else {
            throw_if_failed();
            return std::move(std::get<0>(state_));
        }
    }

    /// The value without a check. \pre `has_value()`.
    template <class U = T>
        requires(!std::is_void_v<U>)
    U& operator*() & { return std::get<0>(state_); }
    template <class U = T>
        requires(!std::is_void_v<U>)
    const U& operator*() const& { return std::get<0>(state_); }
    template <class U = T>
        requires(!std::is_void_v<U>)
    U&& operator*() && { return std::move(std::get<0>(state_)); }
    template <class U = T>
        requires(!std::is_void_v<U>)
    U* operator->() { return &std::get<0>(state_); }
    template <class U = T>
        requires(!std::is_void_v<U>)
    const U* operator->() const { return &std::get<0>(state_); }

    /// The value, or `fallback` on failure.
    template <class U>
        requires(!std::is_void_v<T>)
    T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
    }

    /// The failing code as a `std::error_code`, or an empty code on success (warnings included:
    /// see `warning()`).
    [[nodiscard]] std::error_code error() const noexcept {
        return has_value() ? std::error_code{} : make_error_code(std::get<1>(state_).code);
    }
    /// The code: the failure's, or on success the warning (`success` when there is none).
    [[nodiscard]] scode code() const noexcept { return has_value() ? warning_ : std::get<1>(state_).code; }
    /// The warning that came with a success, or `scode::success`.
    [[nodiscard]] scode warning() const noexcept { return has_value() ? warning_ : scode::success; }
    /// The extended error information (empty on success).
    [[nodiscard]] const error_info& info() const noexcept {
        static const error_info none{};
        return has_value() ? none : std::get<1>(state_).info;
    }
    /// The failure itself, to pass on: `return r.as_failure();`. \pre `!has_value()`.
    [[nodiscard]] failure as_failure() const& { return std::get<1>(state_); }
    [[nodiscard]] failure as_failure() && { return std::move(std::get<1>(state_)); }

private:
    void throw_if_failed() const {
        if (!has_value()) {
            const failure& f = std::get<1>(state_);
            throw mapi_error(f.code, f.info);
        }
    }
    template <class Self>
    static decltype(auto) checked(Self& self) {
        self.throw_if_failed();
        if constexpr (!std::is_void_v<T>) return (std::get<0>(self.state_));
    }

    std::variant<stored, failure> state_;
    scode warning_ = scode::success;
};

} // namespace mapixx::inline v0

#endif
