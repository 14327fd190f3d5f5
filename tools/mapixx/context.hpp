// SPDX-License-Identifier: MIT
// What the profile, service and prf commands share: where the profile store is (--store or the
// XDG default), which MAPISVC.INF they read (--inf or the bundled one), and the profile_admin
// built over both.
#ifndef MAPIXX_TOOLS_CONTEXT_HPP_INCLUDED
#define MAPIXX_TOOLS_CONTEXT_HPP_INCLUDED

#include "cli.hpp"

#include <mapixx/core/core.hpp>
#include <mapixx/profile/file_profile_store.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/service_catalog.hpp>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

// Where the bundled MAPISVC.INF lives relative to the directory of the executable, and where
// the install put it; tools/mapixx/CMakeLists.txt sets both.
#ifndef MAPIXX_TOOL_DATA_RELDIR
#define MAPIXX_TOOL_DATA_RELDIR "../share/mapixx"
#endif
#ifndef MAPIXX_TOOL_INSTALL_DATADIR
#define MAPIXX_TOOL_INSTALL_DATADIR "/usr/local/share/mapixx"
#endif

namespace mapixx_tool {

// The directory of the running executable (from /proc/self/exe, else from argv[0]), or "".
inline std::string executable_directory(const char* argv0) {
    std::string path;
    char buffer[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n > 0) {
        path.assign(buffer, static_cast<std::size_t>(n));
    } else if (argv0 != nullptr && std::string_view(argv0).find('/') != std::string_view::npos) {
        if (char* real = ::realpath(argv0, nullptr)) {
            path = real;
            std::free(real);
        }
    }
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash == 0 ? 1 : slash);
}

inline bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The places the bundled MAPISVC.INF is looked for, in order: beside the executable as the
// build tree and an install lay it out (bin/../share/mapixx), the same one level up (for
// multi-configuration build trees, bin/Debug/), and the install prefix compiled in.
inline std::vector<std::string> bundled_inf_candidates(const std::string& exe_dir) {
    std::vector<std::string> out;
    if (!exe_dir.empty()) {
        out.push_back(exe_dir + "/" MAPIXX_TOOL_DATA_RELDIR "/mapisvc.inf");
        out.push_back(exe_dir + "/../" MAPIXX_TOOL_DATA_RELDIR "/mapisvc.inf");
    }
    out.emplace_back(MAPIXX_TOOL_INSTALL_DATADIR "/mapisvc.inf");
    return out;
}

// The default profile store: $XDG_CONFIG_HOME/mapixx/profiles when XDG_CONFIG_HOME is an
// absolute path (the XDG base directory rules ignore a relative one), else
// $HOME/.config/mapixx/profiles, else the same under the user's home directory from the
// password database. Empty if none is known.
// Opens the file profile store in `dir` and prints, on standard error, a warning for each of
// its files (and the directory) that group or others may use, with the chmod that fixes it:
// profiles may hold credentials. The command goes on; the warnings never change its exit status.
inline std::unique_ptr<mapixx::file_profile_store> open_store(const std::string& dir) {
    auto store = std::make_unique<mapixx::file_profile_store>(dir);
    for (const auto& d : store->access_diagnostics()) std::cerr << "mapixx: " << d.to_string() << "\n";
    return store;
}

inline std::string default_store_directory() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && xdg[0] == '/') {
        return std::string(xdg) + "/mapixx/profiles";
    }
    std::string home;
    if (const char* h = std::getenv("HOME"); h != nullptr && h[0] != '\0') {
        home = h;
    } else if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) {
        home = pw->pw_dir;
    }
    if (home.empty()) return {};
    return home + "/.config/mapixx/profiles";
}

// The store, the catalog and the admin of one run of the tool, made when first needed.
class tool_context {
public:
    tool_context(global_options globals, std::string exe_dir)
        : globals_(std::move(globals)), exe_dir_(std::move(exe_dir)) {}
    tool_context(const tool_context&) = delete;
    tool_context& operator=(const tool_context&) = delete;

    [[nodiscard]] const global_options& globals() const noexcept { return globals_; }
    [[nodiscard]] global_options& globals() noexcept { return globals_; }
    [[nodiscard]] bool json() const noexcept { return globals_.json; }
    [[nodiscard]] const std::string& exe_dir() const noexcept { return exe_dir_; }

    // The directory of the profile store: --store, or the default.
    [[nodiscard]] mapixx::result<std::string> store_directory() const {
        if (globals_.store) return *globals_.store;
        std::string dir = default_store_directory();
        if (dir.empty()) {
            return mapixx::fail(mapixx::scode::not_found,
                                "there is no default profile store: XDG_CONFIG_HOME and HOME are not set and the "
                                "user has no home directory; pass --store DIR",
                                "mapixx.tool");
        }
        return dir;
    }

    // The MAPISVC.INF to read: --inf, or the first bundled candidate that exists.
    [[nodiscard]] mapixx::result<std::string> inf_path() const {
        if (globals_.inf) return *globals_.inf;
        const auto candidates = bundled_inf_candidates(exe_dir_);
        for (const auto& c : candidates) {
            if (!is_regular_file(c)) continue;
            std::string found = c;
            if (char* real = ::realpath(c.c_str(), nullptr)) {
                found = real;
                std::free(real);
            }
            return found;
        }
        std::string looked;
        for (const auto& c : candidates) looked += (looked.empty() ? "" : ", ") + c;
        return mapixx::fail(mapixx::scode::not_found,
                            "no --inf FILE was given and the bundled mapisvc.inf is not installed (looked in " +
                                looked + ")",
                            "mapixx.tool");
    }

    // The catalog read from `inf_path()` (read once).
    [[nodiscard]] mapixx::result<const mapixx::service_catalog*> catalog() {
        if (!catalog_) {
            auto path = inf_path();
            if (!path) return std::move(path).as_failure();
            auto c = mapixx::service_catalog::load(*path);
            if (!c) return std::move(c).as_failure();
            catalog_ = std::make_unique<mapixx::service_catalog>(std::move(*c));
        }
        return catalog_.get();
    }

    // The profile admin over the store. With `with_catalog`, over the MAPISVC.INF catalog;
    // otherwise over an empty catalog, for commands that copy nothing from MAPISVC.INF.
    [[nodiscard]] mapixx::result<mapixx::profile_admin*> admin(bool with_catalog) {
        if (admin_) {
            if (!with_catalog || admin_has_catalog_) return admin_.get();
            admin_.reset();
        }
        auto dir = store_directory();
        if (!dir) return std::move(dir).as_failure();
        if (!store_) store_ = open_store(*dir);
        const mapixx::service_catalog* catalog = &empty_catalog_;
        if (with_catalog) {
            auto c = this->catalog();
            if (!c) return std::move(c).as_failure();
            catalog = *c;
        }
        admin_ = std::make_unique<mapixx::profile_admin>(*store_, *catalog);
        admin_has_catalog_ = with_catalog;
        return admin_.get();
    }

private:
    global_options globals_;
    std::string exe_dir_;
    mapixx::service_catalog empty_catalog_;
    std::unique_ptr<mapixx::service_catalog> catalog_;
    std::unique_ptr<mapixx::file_profile_store> store_;
    std::unique_ptr<mapixx::profile_admin> admin_;
    bool admin_has_catalog_ = false;
};

} // namespace mapixx_tool

#endif
