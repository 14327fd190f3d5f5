// SPDX-License-Identifier: MIT
// Helpers for the Maildir store tests: unique temporary directories, opening a store directly
// (without a session), and reading and writing files.
#ifndef MAPIXX_TESTS_PROVIDERS_MAILDIR_TEST_SUPPORT_HPP_INCLUDED
#define MAPIXX_TESTS_PROVIDERS_MAILDIR_TEST_SUPPORT_HPP_INCLUDED

#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/provider/provider_support.hpp>
#include <mapixx/providers/maildir_store.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace maildir_test {

using namespace mapixx;

/// A fresh directory under the test binary directory, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::path(MAPIXX_TEST_BINARY_DIR) /
                ("maildir-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" +
                 uid::generate().to_string().substr(0, 6));
        std::filesystem::create_directories(path_);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] std::string str() const { return path_.string(); }
    [[nodiscard]] std::string sub(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

/// A provider_support that answers every call with the base class's defaults.
class plain_support final : public provider_support {};

/// Logs on to the Maildir at `root` through the provider, as a session would.
inline std::unique_ptr<maildir_store_logon> open_store(const std::string& root, std::string display = "Test Maildir") {
    maildir_store provider;
    message_service service;
    provider_entry entry;
    entry.display_name = std::move(display);
    property_bag section;
    (void)section.set(maildir_path_tag, root);
    property_bag service_section;
    plain_support support;
    provider_context ctx{"P", service, entry, logon_section(section), service_section, false, false,
                         std::nullopt, 1, 0, support, nullptr};
    auto r = sync_wait(provider.logon(ctx));
    if (!r) throw std::runtime_error("the test could not open the Maildir: " + r.info().message);
    return std::unique_ptr<maildir_store_logon>(static_cast<maildir_store_logon*>(r->release()));
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

/// The names of the files in `dir`.
inline std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

inline binary bytes_of(std::string_view s) { return binary(s.begin(), s.end()); }

/// A recipient row.
inline property_bag recipient(std::string name, std::string email, std::int32_t type) {
    property_bag r;
    (void)r.set(pr::display_name, std::move(name));
    (void)r.set(pr::addrtype, std::string("SMTP"));
    (void)r.set(pr::email_address, std::move(email));
    (void)r.set(pr::recipient_type, type);
    return r;
}

/// An attachment row.
inline property_bag attachment(std::int32_t num, std::string filename, std::string mime, binary data) {
    property_bag a;
    (void)a.set(pr::attach_num, num);
    (void)a.set(pr::attach_method, std::int32_t{1});
    (void)a.set(pr::attach_long_filename, std::move(filename));
    (void)a.set(pr::attach_mime_tag, std::move(mime));
    (void)a.set(pr::attach_data_bin, std::move(data));
    return a;
}

/// A stored_message as the store should give it back.
inline stored_message expected(std::uint64_t id, standard_folder folder, const message_content& c) {
    return stored_message{id, folder, c.props, c.recipients, c.attachments};
}

} // namespace maildir_test

#endif
