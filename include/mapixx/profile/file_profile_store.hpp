// SPDX-License-Identifier: MIT
/// \file
/// `file_profile_store`: a `profile_store` kept in one directory of INI files (POSIX), with
/// atomic writes, private permissions, a lock file shared by every process, and damage reported
/// with file and line. The layout and guarantees are described in docs/profiles-store.md.
#ifndef MAPIXX_PROFILE_FILE_PROFILE_STORE_HPP_INCLUDED
#define MAPIXX_PROFILE_FILE_PROFILE_STORE_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/secret.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/detail/atomic_file.hpp>
#include <mapixx/profile/detail/lock_file.hpp>
#include <mapixx/profile/detail/profile_file_format.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_store.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mapixx::inline v0 {

/// A `profile_store` kept in a directory:
/// - `profiles.ini`: the profiles in creation order (`5d630a00.ini=Work` under `[Profiles]`)
///   and the default (`DefaultProfile=` under `[General]`);
/// - one file per profile, named by a random id (`5d630a00.ini`, never the profile's name),
///   holding its structure and a `[uid]` section per profile section with `TAG=value` lines in
///   MAPISVC.INF syntax (`prop_text.hpp`);
/// - `.lock`: the file every writer locks (flock) while it reads, changes and writes.
///
/// Guarantees (docs/profiles-store.md has the details):
/// - every write replaces whole files atomically (temporary file in the same directory, fsync,
///   rename, fsync of the directory), so a reader, or a process killed mid-write, sees the old
///   or the new state, never a mix; a change that touches both profiles.ini and a profile file
///   writes the profile under a new id first and commits by replacing profiles.ini;
/// - writers (threads or processes, any number of store objects) are serialised by the lock
///   file, and each re-reads the files under the lock, so no update is lost; the lock dies
///   with its process, so a killed writer never blocks the next one;
/// - readers take no lock;
/// - files are created 0600 and directories 0700, whatever the umask;
/// - damage (an unreadable line, a bad value, a missing section, profiles.ini naming a missing
///   file, ...) makes the affected operation fail with `corrupt_data` and a message naming the
///   file and line (`error_info::context` holds the line); profiles in healthy files still
///   load. Writes are refused while profiles.ini is damaged, so nothing is silently dropped.
///   `check()` lists every problem.
///
/// The directory is created (0700, with missing parents) by the first write; until then the
/// store reads as empty. Rules shared with `memory_profile_store`: `create` honours
/// `is_default`; `update` applies a change of `is_default` and refuses a change of `name`
/// (`invalid_parameter`); `rename` may change only the case of a name. `update` holds the lock
/// file while `change` runs: `change` must not write to a store on the same directory.
///
/// Secure properties (ids 0x67F0-0x67FF) are stored like any other property, in files that
/// only the owner can read; they never appear in error messages. The text of a profile file,
/// read or written, goes through buffers that are zeroed before they are freed (no copy of it
/// is left in freed memory by this class; the parsed values wipe themselves, see `prop_value`).
///
/// Permissions: `check()` reports, as `diagnostic::severity::warning`, the directory or any of
/// its files when group or others have any access, with the `chmod` that fixes it (the
/// store's own writes always create 0600 files and 0700 directories).
class file_profile_store final : public profile_store {
public:
    /// The index file's name.
    static constexpr std::string_view index_file_name = "profiles.ini";
    /// The lock file's name.
    static constexpr std::string_view lock_file_name = ".lock";

    /// A store kept in `directory`. Nothing is touched until the first operation.
    explicit file_profile_store(std::string directory) : directory_(std::move(directory)) {}

    /// The directory this store keeps its files in.
    [[nodiscard]] const std::string& directory() const noexcept { return directory_; }

    /// The names of every profile, in creation order. `corrupt_data` if profiles.ini is damaged.
    [[nodiscard]] result<std::vector<std::string>> names() const override {
        auto index = read_index();
        if (!index) return index.as_failure();
        if (!index->problems.empty()) return damaged(index->problems);
        std::vector<std::string> out;
        for (const auto& e : index->entries) out.push_back(e.name);
        return out;
    }

    /// The default profile's name, or nullopt. `corrupt_data` if profiles.ini is damaged.
    [[nodiscard]] result<std::optional<std::string>> default_profile() const override {
        auto index = read_index();
        if (!index) return index.as_failure();
        if (!index->problems.empty()) return damaged(index->problems);
        return index->default_name;
    }

    /// The profile called `name` (any case), with `is_default` filled in. `not_found` if there
    /// is none; `corrupt_data` if its file (or the profiles.ini line naming it) is damaged.
    [[nodiscard]] result<profile> load(std::string_view name) const override {
        std::optional<detail::profile_index> previous;
        for (int attempt = 0;; ++attempt) {
            auto index = read_index();
            if (!index) return index.as_failure();
            const detail::profile_index_entry* entry = index->find(name);
            if (!entry) {
                if (!index->problems.empty()) return damaged(index->problems);
                return missing(name);
            }
            wiped_text bytes;
            failure why;
            const std::string path = detail::join_path(directory_, entry->file);
            switch (read_profile_text(path, bytes, &why)) {
            case detail::read_status::ok: {
                auto p = parse_profile(bytes.text, path, *entry);
                if (!p) return p;
                p->is_default = index->is_default(entry->name);
                return p;
            }
            case detail::read_status::failed: return why;
            case detail::read_status::absent: break;
            }
            // A writer may have committed a new profiles.ini and removed the file the old one
            // named. Only if profiles.ini did not change meanwhile is the file really missing.
            if ((previous && previous->present == index->present && previous->raw == index->raw) || attempt >= 1000) {
                return damaged({{diagnostic::severity::error, index_path(), entry->line,
                                 "the profile \"" + entry->name + "\" is kept in " + path + ", which does not exist"}});
            }
            previous = std::move(*index);
        }
    }

    /// Adds a profile after every existing one. `invalid_parameter` for a bad name, `no_access`
    /// if the name exists (in any case), `corrupt_data` if profiles.ini is damaged.
    result<void> create(const profile& p) override {
        if (auto ok = check_profile_name(p.name); !ok) return ok;
        auto w = begin_write();
        if (!w) return w.as_failure();
        detail::profile_index& index = w->index;
        if (index.find(p.name)) return taken(p.name);
        auto file = new_file_name(index);
        if (!file) return file.as_failure();
        if (auto r = write_profile_text(*file, p); !r) return r;
        index.entries.push_back({*file, p.name, 0});
        if (p.is_default) index.default_name = p.name;
        return write_index(index);
    }

    /// Runs `change` on the profile as it is on disk, with the lock held, and writes the result.
    /// `not_found` if absent; `invalid_parameter` if `change` renamed it; `corrupt_data` if its
    /// file or profiles.ini is damaged (then `change` is not called); otherwise `change`'s own
    /// failure, and then nothing is written.
    result<void> update(std::string_view name, const std::function<result<void>(profile&)>& change) override {
        auto w = begin_write();
        if (!w) return w.as_failure();
        detail::profile_index& index = w->index;
        detail::profile_index_entry* entry = index.find(name);
        if (!entry) return missing(name);
        auto current = read_profile(*entry);
        if (!current) return current.as_failure();
        current->is_default = index.is_default(entry->name);
        profile next = *current;
        if (auto r = change(next); !r) return r;
        if (next.name != current->name) {
            return fail(scode::invalid_parameter,
                        "an update of profile \"" + current->name + "\" changed its name to \"" + next.name +
                            "\"; nothing was stored (rename a profile with rename)",
                        component);
        }
        if (next.is_default == current->is_default) return write_profile_text(entry->file, next);
        // The default mark lives in profiles.ini: write the profile under a new id, then commit
        // both changes at once by replacing profiles.ini.
        if (next.is_default) {
            index.default_name = entry->name;
        } else {
            index.default_name.reset();
        }
        return replace_profile_file(index, *entry, next);
    }

    /// Removes a profile (and the default mark if it had it). `not_found` if absent.
    result<void> remove(std::string_view name) override {
        auto w = begin_write();
        if (!w) return w.as_failure();
        detail::profile_index& index = w->index;
        const detail::profile_index_entry* entry = index.find(name);
        if (!entry) return missing(name);
        const std::string file = entry->file;
        if (index.is_default(entry->name)) index.default_name.reset();
        std::erase_if(index.entries, [&](const detail::profile_index_entry& e) { return e.file == file; });
        if (auto r = write_index(index); !r) return r;
        return detail::remove_file_durably(directory_, file);
    }

    /// Renames a profile, keeping its place and default mark. `invalid_parameter` for a bad
    /// `to`, `not_found` if `from` is absent, `no_access` if another profile is called `to`,
    /// `corrupt_data` if the profile's file is damaged (its name is written inside it).
    result<void> rename(std::string_view from, std::string_view to) override {
        if (auto ok = check_profile_name(to); !ok) return ok;
        auto w = begin_write();
        if (!w) return w.as_failure();
        detail::profile_index& index = w->index;
        detail::profile_index_entry* entry = index.find(from);
        if (!entry) return missing(from);
        if (const auto* other = index.find(to); other && other != entry) return taken(to);
        auto p = read_profile(*entry);
        if (!p) return p.as_failure();
        if (index.is_default(entry->name)) index.default_name = std::string(to);
        p->name = std::string(to);
        return replace_profile_file(index, *entry, *p);
    }

    /// Makes `name` the default profile, or clears the default with nullopt. `not_found` if
    /// there is no such profile.
    result<void> set_default(std::optional<std::string_view> name) override {
        auto w = begin_write();
        if (!w) return w.as_failure();
        detail::profile_index& index = w->index;
        if (!name) {
            index.default_name.reset();
        } else {
            const detail::profile_index_entry* entry = index.find(*name);
            if (!entry) return missing(*name);
            index.default_name = entry->name;
        }
        return write_index(index);
    }

    /// Only the access checks of `check()`: the store's directory and every regular file in it
    /// that group or others may use, each a warning with the `chmod` that fixes it, in path
    /// order. Reads no file, so it is cheap enough to run whenever a program opens the store
    /// (the mapixx tool does, and prints them). Empty when everything is private or the
    /// directory does not exist yet.
    [[nodiscard]] std::vector<diagnostic> access_diagnostics() const {
        std::vector<diagnostic> out;
        struct stat st {};
        if (::stat(directory_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return out;
        check_mode(st, directory_, detail::private_directory_mode, out);
        std::vector<std::string> paths;
        if (DIR* dir = ::opendir(directory_.c_str())) {
            while (const dirent* d = ::readdir(dir)) paths.push_back(detail::join_path(directory_, d->d_name));
            ::closedir(dir);
        }
        std::sort(paths.begin(), paths.end());
        for (const auto& path : paths) {
            struct stat fst {};
            if (::lstat(path.c_str(), &fst) == 0 && S_ISREG(fst.st_mode)) {
                check_mode(fst, path, detail::private_file_mode, out);
            }
        }
        return out;
    }

    /// Every problem in the store, without changing anything: damaged lines and values in
    /// profiles.ini and in every profile file (all of them, not only the first), files that
    /// profiles.ini names but that do not exist, profile files that it does not name (left by an
    /// interrupted write), temporary files left by a killed writer, and files or the directory
    /// readable by group or others (with the `chmod` that fixes it). Empty for a healthy store
    /// or one whose directory does not exist yet.
    [[nodiscard]] std::vector<diagnostic> check() const {
        std::vector<diagnostic> out;
        auto report = [&](diagnostic::severity level, const std::string& file, std::size_t line, std::string text) {
            out.push_back({level, file, line, std::move(text)});
        };
        struct stat st {};
        if (::stat(directory_.c_str(), &st) != 0) {
            if (errno != ENOENT) report(diagnostic::severity::error, directory_, 0, std::strerror(errno));
            return out;
        }
        if (!S_ISDIR(st.st_mode)) {
            report(diagnostic::severity::error, directory_, 0, "the profile store is not a directory");
            return out;
        }
        check_mode(st, directory_, detail::private_directory_mode, out);

        std::vector<std::string> named;
        auto index = read_index();
        if (!index) {
            report(diagnostic::severity::error, index_path(), 0, index.info().message);
        } else {
            for (const auto& d : index->problems) out.push_back(d);
            if (struct stat ist {}; ::lstat(index_path().c_str(), &ist) == 0) check_mode(ist, index_path(), detail::private_file_mode, out);
            for (const auto& e : index->entries) {
                named.push_back(e.file);
                const std::string path = detail::join_path(directory_, e.file);
                wiped_text bytes;
                failure why;
                switch (read_profile_text(path, bytes, &why)) {
                case detail::read_status::absent:
                    report(diagnostic::severity::error, index_path(), e.line,
                           "the profile \"" + e.name + "\" is kept in " + path + ", which does not exist");
                    continue;
                case detail::read_status::failed:
                    report(diagnostic::severity::error, path, 0, why.info.message);
                    continue;
                case detail::read_status::ok: break;
                }
                collect_profile_problems(bytes.text, path, e, out);
                if (struct stat fst {}; ::lstat(path.c_str(), &fst) == 0) check_mode(fst, path, detail::private_file_mode, out);
            }
        }

        const bool writer_active = lock_is_held();
        if (DIR* dir = ::opendir(directory_.c_str())) {
            while (const dirent* d = ::readdir(dir)) {
                const std::string name = d->d_name;
                const std::string path = detail::join_path(directory_, name);
                if (detail::is_profile_file_name(name) && index &&
                    std::find(named.begin(), named.end(), name) == named.end()) {
                    report(diagnostic::severity::warning, path, 0,
                           "this profile file is not named in profiles.ini (an interrupted create, rename or remove "
                           "leaves one behind); if it holds nothing you need, remove it: rm " + path);
                } else if (name.rfind(detail::temporary_prefix, 0) == 0 && !writer_active) {
                    report(diagnostic::severity::warning, path, 0,
                           "this temporary file was left by a writer that did not finish; the next write removes it, "
                           "or: rm " + path);
                } else if (name == lock_file_name) {
                    if (struct stat lst {}; ::lstat(path.c_str(), &lst) == 0) check_mode(lst, path, detail::private_file_mode, out);
                }
            }
            ::closedir(dir);
        }
        return out;
    }

private:
    static constexpr const char* component = "mapixx.profile_store";

    /// What a writer holds: the lock, and profiles.ini as read under it.
    struct write_session {
        detail::lock_file lock;
        detail::profile_index index;
    };

    [[nodiscard]] std::string index_path() const { return detail::join_path(directory_, index_file_name); }

    /// The text of a profile file, which holds its secure properties in clear: zeroed (up to
    /// its capacity) when it goes away.
    struct wiped_text {
        std::string text;
        wiped_text() = default;
        explicit wiped_text(std::string&& t) noexcept : text(std::move(t)) { secure_wipe(t); }
        wiped_text(const wiped_text&) = delete;
        wiped_text& operator=(const wiped_text&) = delete;
        ~wiped_text() { secure_wipe(text); }
    };

    /// Reads a profile file into `out` the way `detail::read_whole_file` does, but leaves no
    /// copy of it behind: the bytes go straight into `out`'s storage, sized from fstat (no
    /// intermediate buffer), and storage outgrown by a file that grew meanwhile is zeroed
    /// before it is freed.
    [[nodiscard]] static detail::read_status read_profile_text(const std::string& path, wiped_text& out, failure* why) {
        secure_wipe(out.text);
        detail::unique_fd fd(detail::open_retrying(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            if (errno == ENOENT) return detail::read_status::absent;
            if (why) *why = detail::system_failure(errno, "opening \"" + path + "\" for reading");
            return detail::read_status::failed;
        }
        struct stat st {};
        std::size_t room = 4096;
        // One byte more than the size, so the end of the file is seen without growing.
        if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) room = static_cast<std::size_t>(st.st_size) + 1;
        wiped_text buffer;
        buffer.text.resize(room);
        std::size_t used = 0;
        for (;;) {
            if (used == buffer.text.size()) {
                wiped_text bigger;
                bigger.text.resize(buffer.text.size() * 2);
                std::memcpy(bigger.text.data(), buffer.text.data(), used);
                buffer.text.swap(bigger.text);  // `bigger` wipes the old storage as it goes
            }
            const ssize_t n = ::read(fd.get(), buffer.text.data() + used, buffer.text.size() - used);
            if (n > 0) {
                used += static_cast<std::size_t>(n);
            } else if (n == 0) {
                break;
            } else if (errno != EINTR) {
                if (why) *why = detail::system_failure(errno, "reading \"" + path + "\"");
                return detail::read_status::failed;
            }
        }
        buffer.text.resize(used);  // shrinking keeps the storage
        out.text.swap(buffer.text);
        return detail::read_status::ok;
    }

    /// Writes profile `p` as `directory/file` (atomically), wiping the formatted text after.
    [[nodiscard]] result<void> write_profile_text(const std::string& file, const profile& p) const {
        const wiped_text text(detail::format_profile_file(p));
        return detail::replace_file_atomically(directory_, file, text.text);
    }

    static failure missing(std::string_view name) {
        return fail(scode::not_found, "there is no profile called \"" + std::string(name) + "\"", component);
    }
    static failure taken(std::string_view name) {
        return fail(scode::no_access, "a profile called \"" + std::string(name) + "\" already exists", component);
    }

    /// `corrupt_data` naming the first problem's file and line, and how many more there are.
    static failure damaged(const std::vector<diagnostic>& problems) {
        const diagnostic& d = problems.front();
        std::string message = "the profile store file \"" + d.file + "\" is damaged";
        if (d.line != 0) message += " at line " + std::to_string(d.line);
        message += ": " + d.message;
        if (problems.size() > 1) {
            message += " (and " + std::to_string(problems.size() - 1) + " more problem" +
                       (problems.size() > 2 ? "s" : "") + "; file_profile_store::check lists them all)";
        }
        error_info info{component, std::move(message), 0, static_cast<std::uint32_t>(d.line), 0};
        return fail(scode::corrupt_data, std::move(info));
    }

    /// profiles.ini as read now (empty when it does not exist). Fails only when it exists but
    /// cannot be read; damage is in `problems`.
    [[nodiscard]] result<detail::profile_index> read_index() const {
        std::string bytes;
        failure why;
        switch (detail::read_whole_file(index_path(), bytes, &why)) {
        case detail::read_status::absent: return detail::profile_index{};
        case detail::read_status::failed: return why;
        case detail::read_status::ok: break;
        }
        detail::profile_index index = detail::parse_profile_index(bytes, index_path());
        index.present = true;
        index.raw = std::move(bytes);
        return index;
    }

    /// Parses a profile file and checks that it is the profile `entry` names.
    [[nodiscard]] static result<profile> parse_profile(const std::string& bytes, const std::string& path,
                                                       const detail::profile_index_entry& entry) {
        std::vector<diagnostic> problems;
        profile p = detail::parse_profile_file(bytes, path, problems);
        if (problems.empty() && p.name != entry.name) {
            problems.push_back({diagnostic::severity::error, path, 0,
                                "the file holds the profile \"" + p.name + "\" but profiles.ini (line " +
                                    std::to_string(entry.line) + ") keeps \"" + entry.name + "\" in it"});
        }
        if (!problems.empty()) return damaged(problems);
        return p;
    }

    static void collect_profile_problems(const std::string& bytes, const std::string& path,
                                         const detail::profile_index_entry& entry, std::vector<diagnostic>& out) {
        const std::size_t before = out.size();
        profile p = detail::parse_profile_file(bytes, path, out);
        if (out.size() == before && p.name != entry.name) {
            out.push_back({diagnostic::severity::error, path, 0,
                           "the file holds the profile \"" + p.name + "\" but profiles.ini (line " +
                               std::to_string(entry.line) + ") keeps \"" + entry.name + "\" in it"});
        }
    }

    /// Reads the profile `entry` names, for a writer (the lock is held, so the file is there
    /// unless the store is damaged).
    [[nodiscard]] result<profile> read_profile(const detail::profile_index_entry& entry) const {
        const std::string path = detail::join_path(directory_, entry.file);
        wiped_text bytes;
        failure why;
        switch (read_profile_text(path, bytes, &why)) {
        case detail::read_status::ok: return parse_profile(bytes.text, path, entry);
        case detail::read_status::failed: return why;
        case detail::read_status::absent: break;
        }
        return damaged({{diagnostic::severity::error, index_path(), entry.line,
                         "the profile \"" + entry.name + "\" is kept in " + path + ", which does not exist"}});
    }

    /// Creates the directory if needed, takes the lock, removes temporary files left by killed
    /// writers, and reads profiles.ini, refusing to go on if it is damaged.
    [[nodiscard]] result<write_session> begin_write() {
        if (auto r = detail::make_private_directories(directory_); !r) return r.as_failure();
        auto lock = detail::lock_file::acquire(detail::join_path(directory_, lock_file_name));
        if (!lock) return lock.as_failure();
        remove_stale_temporaries();
        auto index = read_index();
        if (!index) return index.as_failure();
        if (!index->problems.empty()) {
            failure f = damaged(index->problems);
            f.info.message += "; the store accepts no change until profiles.ini is repaired";
            return f;
        }
        return write_session{std::move(*lock), std::move(*index)};
    }

    /// With the lock held, every temporary file is a leftover of a writer that died.
    void remove_stale_temporaries() const {
        DIR* dir = ::opendir(directory_.c_str());
        if (!dir) return;
        std::vector<std::string> stale;
        while (const dirent* d = ::readdir(dir)) {
            if (std::string_view(d->d_name).rfind(detail::temporary_prefix, 0) == 0) stale.emplace_back(d->d_name);
        }
        ::closedir(dir);
        for (const auto& name : stale) ::unlink(detail::join_path(directory_, name).c_str());
    }

    /// A file name no profile uses and no file has: 8 random hex digits and `.ini`.
    [[nodiscard]] result<std::string> new_file_name(const detail::profile_index& index) const {
        for (int attempt = 0; attempt < 1000; ++attempt) {
            const std::string name = uid::generate().to_string().substr(0, 8) + ".ini";
            bool used = false;
            for (const auto& e : index.entries) used = used || e.file == name;
            struct stat st {};
            if (!used && ::lstat(detail::join_path(directory_, name).c_str(), &st) != 0 && errno == ENOENT) return name;
        }
        return fail(scode::call_failed, "no free profile file name was found in \"" + directory_ + "\"", component);
    }

    [[nodiscard]] result<void> write_index(const detail::profile_index& index) const {
        return detail::replace_file_atomically(directory_, index_file_name, detail::format_profile_index(index));
    }

    /// Writes `p` under a new file name, points `entry` at it (with `p`'s name), commits
    /// profiles.ini, and removes the old file.
    [[nodiscard]] result<void> replace_profile_file(detail::profile_index& index, detail::profile_index_entry& entry,
                                                    const profile& p) const {
        auto file = new_file_name(index);
        if (!file) return file.as_failure();
        if (auto r = write_profile_text(*file, p); !r) return r;
        const std::string old = std::exchange(entry.file, *file);
        entry.name = p.name;
        if (auto r = write_index(index); !r) {
            (void)detail::remove_file_durably(directory_, *file);
            return r;
        }
        return detail::remove_file_durably(directory_, old);
    }

    /// Reports a file or directory that group or others may use.
    static void check_mode(const struct stat& st, const std::string& path, mode_t wanted, std::vector<diagnostic>& out) {
        if ((st.st_mode & 0077) == 0) return;
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        const bool is_dir = S_ISDIR(st.st_mode);
        out.push_back({diagnostic::severity::warning, path, 0,
                       std::string(is_dir ? "the directory" : "the file") + " has mode " + mode +
                           ", so group or others can use it; profiles may hold credentials. Fix: chmod " +
                           (wanted == detail::private_directory_mode ? "700 " : "600 ") + path});
    }

    /// True if some writer holds the lock right now (a non-blocking probe).
    [[nodiscard]] bool lock_is_held() const {
        detail::unique_fd fd(detail::open_retrying(detail::join_path(directory_, lock_file_name).c_str(),
                                                   O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        if (!fd) return false;
        if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return false;  // released when fd closes
        return errno == EWOULDBLOCK;
    }

    std::string directory_;
};

} // namespace mapixx::inline v0

#endif
