// SPDX-License-Identifier: MIT
/// \file
/// `smtp::credential`: the user name and password for SMTP AUTH, held in memory that is wiped
/// when released.
#ifndef MAPIXX_PROVIDERS_SMTP_CREDENTIAL_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_CREDENTIAL_HPP_INCLUDED

#include <mapixx/providers/smtp/detail/secret.hpp>

#include <string>
#include <string_view>

namespace mapixx::inline v0 {
namespace smtp {

class client;

/// A user name and password for AUTH PLAIN or AUTH LOGIN (RFC 4954). Each is a heap copy that
/// is wiped (zeroed through a volatile pointer) by `wipe()` and by the destructor; a move hands
/// the storage over without leaving a copy. Move-only; the password cannot be read back except
/// by the client engine, and it appears in no error message.
///
/// The caller keeps its own copy (for instance a secure profile property) and wipes that itself;
/// the constructor from `std::string&` wipes the caller's string as it takes it.
class credential {
public:
    /// Copies `user` and `password`.
    credential(std::string_view user, std::string_view password) : user_(user), password_(password) {}
    /// Copies `user` and `password`, then wipes and empties `password`.
    credential(std::string_view user, std::string& password) : user_(user), password_(std::string_view(password)) {
        detail::secure_wipe(password);
    }
    credential(credential&&) noexcept = default;
    credential& operator=(credential&&) noexcept = default;
    credential(const credential&) = delete;
    credential& operator=(const credential&) = delete;
    ~credential() = default;  // the members wipe themselves

    /// The user name (the authentication identity).
    [[nodiscard]] std::string_view user() const noexcept { return user_.view(); }
    /// True once wiped (or when both parts were empty).
    [[nodiscard]] bool empty() const noexcept { return user_.empty() && password_.empty(); }
    /// Wipes both parts now.
    void wipe() noexcept {
        user_.clear();
        password_.clear();
    }

private:
    friend class client;
    [[nodiscard]] std::string_view password() const noexcept { return password_.view(); }
    void wipe_password() noexcept { password_.clear(); }

    detail::secret_bytes user_;
    detail::secret_bytes password_;
};

} // namespace smtp
} // namespace mapixx::inline v0

#endif
