// SPDX-License-Identifier: MIT
/// \file
/// `maildir_store`: a message store provider that keeps its folders in a Maildir++ directory
/// on disk, one RFC 5322 file per message, readable by other mail programs (docs/maildir.md).
#ifndef MAPIXX_PROVIDERS_MAILDIR_STORE_HPP_INCLUDED
#define MAPIXX_PROVIDERS_MAILDIR_STORE_HPP_INCLUDED

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/detail/atomic_file.hpp>
#include <mapixx/profile/detail/lock_file.hpp>
#include <mapixx/provider/message.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_context.hpp>
#include <mapixx/providers/detail/rfc5322.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mapixx::inline v0 {

/// The provider property that holds the Maildir directory of a `maildir_store`
/// (PT_UNICODE, provider-private id 0x6620), read from the provider's profile section, or
/// from its message service's section when the provider section has none.
inline constexpr prop_tag maildir_path_tag{0x6620, prop_type::unicode};

/// What the parse cache of a Maildir directory holds (`maildir_store_logon::cache_stats`). The
/// cache is shared by every logon of the directory in the process; it remembers, for each file
/// it read, whether it is a message, and the properties and recipient rows of the messages
/// read last (never their attachment rows), up to `limit` bytes.
struct maildir_cache_stats {
    std::size_t files = 0;          ///< Files the cache knows: size, modification time, message or not.
    std::size_t held = 0;           ///< Messages whose properties and recipient rows it holds.
    std::size_t bytes = 0;          ///< What those hold, estimated (values, text, bytes); at most `limit`.
    std::size_t limit = 0;          ///< The bound on `bytes` (`maildir_store_logon::set_cache_limit`).
    std::uint64_t file_reads = 0;   ///< Message files read from disk since the directory was opened here.
};

/// The default bound on what the parse cache of a Maildir directory holds: 16 MiB.
inline constexpr std::size_t maildir_default_cache_limit = std::size_t{16} * 1024 * 1024;

namespace detail::maildir {

inline constexpr const char* component = "mapixx.maildir_store";

/// The directory of `folder` under `root`: the root itself for the Inbox, `root/.Name`
/// (Maildir++) for the others.
inline std::string folder_directory(const std::string& root, standard_folder folder) {
    if (folder == standard_folder::inbox) return root;
    return join_path(root, "." + std::string(folder_name(folder)));
}

/// Where a message file is.
struct location {
    standard_folder folder = standard_folder::inbox;
    bool in_new = false;   ///< in new/ rather than cur/
    std::string name;      ///< its file name
};

/// What the store knows of a file it read, while its size and modification time stay the
/// same: whether it is a message and, if the cache has kept them, the message's properties and
/// recipient rows. Attachment rows are never kept: they are read from the file when asked for.
struct cached_file {
    std::uintmax_t size = 0;
    std::int64_t mtime = 0;
    bool message = false;                 ///< the file is a message the store can read
    std::optional<message_parts> parts;   ///< its properties and recipients (no attachment rows), if kept
    std::size_t bytes = 0;                ///< what `parts` holds (`bytes_held`); 0 without it
    std::list<const std::string*>::iterator use{};  ///< its place in the use order, while `parts` is kept
    scode code = scode::success;          ///< why the file is not a message
    error_info problem;                   ///< the same, as a sentence naming the file
};

/// Roughly the memory `bag` holds: its values, and the text and bytes they own.
inline std::size_t bytes_held(const property_bag& bag) {
    std::size_t n = sizeof(property_bag);
    for (const prop_value& v : bag) {
        n += sizeof(prop_value);
        std::visit(
            [&n](const auto& d) {
                using T = std::remove_cvref_t<decltype(d)>;
                if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, binary>) {
                    n += d.size();
                } else if constexpr (std::is_same_v<T, std::vector<std::string>> || std::is_same_v<T, std::vector<binary>>) {
                    for (const auto& x : d) n += sizeof x + x.size();
                } else if constexpr (requires { typename T::value_type; }) {
                    n += d.size() * sizeof(typename T::value_type);
                }
            },
            v.data());
    }
    return n;
}

/// Roughly the memory a parsed message holds, attachment rows included.
inline std::size_t bytes_held(const message_parts& m) {
    std::size_t n = sizeof(message_parts) + bytes_held(m.props);
    for (const auto& row : m.recipients) n += bytes_held(row);
    for (const auto& row : m.attachments) n += bytes_held(row);
    return n;
}

/// The unique part of a Maildir file name (before the `:` that starts its info).
inline std::string_view base_of(std::string_view name) noexcept { return name.substr(0, name.find(':')); }

/// The flag letters of a file name (after `:2,`), empty if none.
inline std::string_view letters_of(std::string_view name) noexcept {
    const auto colon = name.find(":2,");
    return colon == std::string_view::npos ? std::string_view{} : name.substr(colon + 3);
}

/// This host's name as a Maildir file name part (`/` and `:` escaped as the Maildir
/// convention does).
inline std::string host_part() {
    char buffer[256] = {};
    std::string host = ::gethostname(buffer, sizeof buffer - 1) == 0 ? std::string(buffer) : std::string();
    if (host.empty()) host = "localhost";
    std::string out;
    for (char c : host) {
        if (c == '/') out += "\\057";
        else if (c == ':') out += "\\072";
        else if (c == '.' || c == '\n' || c == ' ') out += '_';
        else out += c;
    }
    return out;
}

/// A new unique Maildir file name: `seconds.M<micro>P<pid>Q<counter>R<random>.host`.
inline std::string unique_name() {
    static std::atomic<std::uint64_t> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    const std::string random = uid::generate().to_string().substr(0, 8);
    return std::to_string(us / 1000000) + ".M" + std::to_string(us % 1000000) + "P" + std::to_string(::getpid()) + "Q" +
           std::to_string(++counter) + "R" + random + "." + host_part();
}

/// Creates `path` (which must not exist) with `bytes`, fsync-ed and closed.
inline result<void> write_new_file(const std::string& path, std::string_view bytes) {
    unique_fd fd(open_retrying(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return system_failure(errno, "creating \"" + path + "\"");
    auto abandon = [&](int err, const std::string& what) {
        fd.reset();
        ::unlink(path.c_str());
        return system_failure(err, what);
    };
    if (int err = write_all(fd.get(), bytes); err != 0) return abandon(err, "writing \"" + path + "\"");
    if (::fsync(fd.get()) != 0) return abandon(errno, "syncing \"" + path + "\"");
    if (int err = fd.reset(); err != 0) return abandon(err, "closing \"" + path + "\"");
    return {};
}

/// rename(2) with the paths in the failure.
inline result<void> rename_file(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        return system_failure(errno, "renaming \"" + from + "\" to \"" + to + "\"");
    }
    return {};
}

/// One Maildir directory as every logon of this process sees it: the id list, the parsed
/// files, where each message is. Every member function expects `mutex` to be held.
class store_state {
public:
    explicit store_state(std::string root) : root_(std::move(root)) {}
    store_state(const store_state&) = delete;
    store_state& operator=(const store_state&) = delete;

    std::mutex mutex;

    [[nodiscard]] const std::string& root() const noexcept { return root_; }

    /// Creates the folders (root and the three Maildir++ folders, each with cur/ new/ tmp/)
    /// and removes files left in tmp/ more than 36 hours ago.
    result<void> prepare() {
        for (standard_folder f : all_standard_folders) {
            const std::string dir = folder_directory(root_, f);
            for (const char* sub : {"cur", "new", "tmp"}) {
                if (auto r = make_private_directories(join_path(dir, sub)); !r) return r;
            }
            if (f != standard_folder::inbox) {
                const std::string marker = join_path(dir, "maildirfolder");
                struct stat st {};
                if (::stat(marker.c_str(), &st) != 0) {
                    unique_fd fd(open_retrying(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
                    if (!fd) return system_failure(errno, "creating \"" + marker + "\"");
                }
            }
            std::error_code ec;
            const auto limit = std::filesystem::file_time_type::clock::now() - std::chrono::hours(36);
            for (std::filesystem::directory_iterator it(join_path(dir, "tmp"), ec), end; !ec && it != end; it.increment(ec)) {
                std::error_code ec2;
                if (it->is_regular_file(ec2) && it->last_write_time(ec2) < limit && !ec2) {
                    std::filesystem::remove(it->path(), ec2);
                }
            }
        }
        return load_ids();
    }

    /// The messages of `folder` (scanning it), oldest (smallest id) first; with
    /// `attachment_rows::left_out`, without their attachment rows.
    result<std::vector<stored_message>> list(standard_folder folder, attachment_rows rows = attachment_rows::included) {
        auto seen = scan(folder);
        if (!seen) return std::move(seen).as_failure();
        std::vector<stored_message> out;
        for (const auto& [id, loc] : *seen) {
            if (auto m = build(id, loc, rows)) out.push_back(std::move(*m));  // a bad file is in problems()
        }
        return out;
    }

    /// Message `id`, wherever it is; with `attachment_rows::left_out`, without its attachment rows.
    result<stored_message> get(std::uint64_t id, attachment_rows rows = attachment_rows::included) {
        auto loc = locate(id);
        if (!loc) return std::move(loc).as_failure();
        return build(id, *loc, rows);
    }

    /// Writes a new message into `folder`: tmp/, fsync, rename into new/ (into cur/ with its
    /// flags when it has any), fsync of the directory.
    result<std::uint64_t> create(standard_folder folder, message_content content) {
        message_parts parts{std::move(content.props), std::move(content.recipients), std::move(content.attachments)};
        if (!parts.props.contains(pr::internet_message_id)) {
            (void)parts.props.set(pr::internet_message_id, "<" + unique_name_for_id() + "@mapixx.local>");
        }
        const std::string text = write_message(parts);
        const std::string letters = letters_from_props(parts.props);
        const std::string name = unique_name();
        auto id = allocate({name});
        if (!id) return std::move(id).as_failure();
        const std::string dir = folder_directory(root_, folder);
        const std::string temp = join_path(join_path(dir, "tmp"), name);
        if (auto r = write_new_file(temp, text); !r) return std::move(r).as_failure();
        const bool to_new = letters.empty();
        const std::string final_name = to_new ? name : name + ":2," + letters;
        const std::string sub = join_path(dir, to_new ? "new" : "cur");
        if (auto r = rename_file(temp, join_path(sub, final_name)); !r) {
            ::unlink(temp.c_str());
            return std::move(r).as_failure();
        }
        if (auto r = sync_directory(sub); !r) return std::move(r).as_failure();
        where_[id->front()] = location{folder, to_new, final_name};
        return id->front();
    }

    /// Merges `changes` (and replaces the recipients) and rewrites the file atomically.
    result<void> update(std::uint64_t id, const property_bag& changes, const std::vector<property_bag>* recipients) {
        auto loc = locate(id);
        if (!loc) return std::move(loc).as_failure();
        auto current = build(id, *loc);
        if (!current) return std::move(current).as_failure();
        const std::string old_path = path_of(*loc);
        message_parts parts{std::move(current->props), std::move(current->recipients), std::move(current->attachments)};
        parts.props.merge(changes);
        if (recipients != nullptr) parts.recipients = *recipients;
        const std::string text = write_message(parts);
        std::string letters = letters_from_props(parts.props);
        for (char c : letters_of(loc->name)) {
            if (!mapped_letter(c) && letters.find(c) == std::string::npos) letters += c;
        }
        std::sort(letters.begin(), letters.end());
        const std::string dir = folder_directory(root_, loc->folder);
        const std::string temp = join_path(join_path(dir, "tmp"), unique_name());
        if (auto r = write_new_file(temp, text); !r) return r;
        const std::string new_name = std::string(base_of(loc->name)) + ":2," + letters;
        const std::string new_path = join_path(join_path(dir, "cur"), new_name);
        // The old file takes the new name first, so that at every moment exactly one file holds
        // the message; then the new content replaces it in one rename.
        if (new_path != old_path) {
            if (auto r = rename_file(old_path, new_path); !r) {
                ::unlink(temp.c_str());
                return r;
            }
            where_[id] = location{loc->folder, false, new_name};
        }
        if (auto r = rename_file(temp, new_path); !r) {
            ::unlink(temp.c_str());
            return r;
        }
        if (auto r = sync_directory(join_path(dir, "cur")); !r) return r;
        if (loc->in_new) return sync_directory(join_path(dir, "new"));
        return {};
    }

    /// Renames the file of message `id` into `folder` (same subdirectory, same name).
    result<void> move(std::uint64_t id, standard_folder folder) {
        auto loc = locate(id);
        if (!loc) return std::move(loc).as_failure();
        if (loc->folder == folder) return {};
        const std::string sub = loc->in_new ? "new" : "cur";
        const std::string from_dir = join_path(folder_directory(root_, loc->folder), sub);
        const std::string to_dir = join_path(folder_directory(root_, folder), sub);
        if (auto r = rename_file(join_path(from_dir, loc->name), join_path(to_dir, loc->name)); !r) return r;
        where_[id] = location{folder, loc->in_new, loc->name};
        if (auto r = sync_directory(to_dir); !r) return r;
        return sync_directory(from_dir);
    }

    /// Removes the file of message `id`; its id is never given again.
    result<void> erase(std::uint64_t id) {
        auto loc = locate(id);
        if (!loc) return std::move(loc).as_failure();
        const std::string dir = join_path(folder_directory(root_, loc->folder), loc->in_new ? "new" : "cur");
        where_.erase(id);
        return remove_file_durably(dir, loc->name);
    }

    /// Where message `id` is; `not_found` if no folder has it.
    result<location> locate(std::uint64_t id) {
        if (auto it = where_.find(id); it != where_.end()) {
            struct stat st {};
            if (::stat(path_of(it->second).c_str(), &st) == 0) return it->second;
        }
        for (standard_folder f : all_standard_folders) {
            auto r = scan(f);
            if (!r) return std::move(r).as_failure();
        }
        if (auto it = where_.find(id); it != where_.end()) return it->second;
        return missing(id);
    }

    /// The path of a located file.
    [[nodiscard]] std::string path_of(const location& loc) const {
        return join_path(join_path(folder_directory(root_, loc.folder), loc.in_new ? "new" : "cur"), loc.name);
    }

    /// The files that could not be read, one error_info each (the file and, when known, the
    /// line in the message; `context` holds the line).
    [[nodiscard]] std::vector<error_info> problems() const {
        std::vector<error_info> out;
        for (const auto& [path, cached] : cache_) {
            if (!cached.message) out.push_back(cached.problem);
        }
        for (const auto& [path, info] : duplicates_) out.push_back(info);
        return out;
    }

    /// What the parse cache holds.
    [[nodiscard]] maildir_cache_stats cache_stats() const noexcept {
        return maildir_cache_stats{cache_.size(), use_.size(), held_bytes_, held_limit_, file_reads_};
    }

    /// Bounds what the parse cache holds to `bytes`, dropping the least recently used messages'
    /// properties at once if it holds more.
    void set_cache_limit(std::size_t bytes) {
        held_limit_ = bytes;
        trim();
    }

private:
    static failure missing(std::uint64_t id) {
        return fail(scode::not_found, "the Maildir store has no message " + std::to_string(id), component);
    }

    /// A fresh left part for a generated Message-ID.
    static std::string unique_name_for_id() {
        std::string n = unique_name();
        return n.substr(0, n.rfind('.')) + "." + uid::generate().to_string().substr(0, 12);
    }

    [[nodiscard]] std::string uidlist_path() const { return join_path(root_, "mapixx-uidlist"); }

    /// Reads the lines of the id list added since the last read. Each line is `id base`; a
    /// line without its line break (a write cut short) is not read.
    result<void> load_ids() {
        std::string text;
        failure why;
        const auto status = read_whole_file(uidlist_path(), text, &why);
        if (status == read_status::failed) return why;
        if (status == read_status::absent) return {};
        std::size_t pos = text.size() >= uidlist_read_ ? uidlist_read_ : 0;
        ends_with_newline_ = text.empty() || text.back() == '\n';
        while (pos < text.size()) {
            const std::size_t eol = text.find('\n', pos);
            if (eol == std::string::npos) break;
            const std::string_view line(text.data() + pos, eol - pos);
            pos = eol + 1;
            const auto space = line.find(' ');
            if (space == std::string_view::npos || space == 0) continue;
            std::uint64_t id = 0;
            bool ok = true;
            for (char c : line.substr(0, space)) {
                if (c < '0' || c > '9') ok = false;
                else id = id * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (!ok || id == 0) continue;
            const std::string base(line.substr(space + 1));
            ids_[base] = id;
            next_id_ = std::max(next_id_, id + 1);
        }
        uidlist_read_ = pos;
        return {};
    }

    /// Gives the next ids to `bases`, in order, and appends them to the id list durably (under
    /// a lock file, so that two processes never give the same id).
    result<std::vector<std::uint64_t>> allocate(const std::vector<std::string>& bases) {
        auto lock = lock_file::acquire(join_path(root_, "mapixx-uidlist.lock"));
        if (!lock) return std::move(lock).as_failure();
        if (auto r = load_ids(); !r) return std::move(r).as_failure();
        std::string lines;
        if (!ends_with_newline_) lines += '\n';
        std::vector<std::uint64_t> out;
        for (const auto& base : bases) {
            if (auto it = ids_.find(base); it != ids_.end()) {
                out.push_back(it->second);
                continue;
            }
            const std::uint64_t id = next_id_++;
            ids_[base] = id;
            out.push_back(id);
            lines += std::to_string(id) + " " + base + "\n";
        }
        if (lines.empty()) return out;
        const std::string path = uidlist_path();
        unique_fd fd(open_retrying(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
        if (!fd) return system_failure(errno, "opening \"" + path + "\" to add message ids");
        if (int err = write_all(fd.get(), lines); err != 0) return system_failure(err, "writing \"" + path + "\"");
        if (::fsync(fd.get()) != 0) return system_failure(errno, "syncing \"" + path + "\"");
        fd.reset();
        if (auto r = load_ids(); !r) return std::move(r).as_failure();  // moves past what was just written
        if (auto r = sync_directory(root_); !r) return std::move(r).as_failure();
        return out;
    }

    /// True if `c` was read from the file as `st` describes it (same size and modification time).
    static bool same_file(const cached_file& c, const struct stat& st) noexcept {
        return c.size == static_cast<std::uintmax_t>(st.st_size) && c.mtime == mtime_of(st);
    }
    static std::int64_t mtime_of(const struct stat& st) noexcept {
        return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    }

    /// Drops the properties and recipients `c` keeps (its verdict stays).
    void drop_parts(cached_file& c) noexcept {
        if (!c.parts) return;
        use_.erase(c.use);
        held_bytes_ -= c.bytes;
        c.parts.reset();
        c.bytes = 0;
    }

    /// Keeps `lean` (a message without attachment rows) in the entry of `key` as the most
    /// recently used, then drops the least recently used entries' until the cache is within
    /// its limit. A message larger than the limit alone is not kept.
    void keep(const std::string& key, cached_file& c, message_parts lean) {
        drop_parts(c);
        const std::size_t bytes = bytes_held(lean);
        if (bytes > held_limit_) return;
        c.use = use_.insert(use_.end(), &key);
        c.parts = std::move(lean);
        c.bytes = bytes;
        held_bytes_ += bytes;
        trim();
    }

    /// Drops the least recently used entries' properties until the cache is within its limit.
    void trim() noexcept {
        while (held_bytes_ > held_limit_ && !use_.empty()) {
            drop_parts(cache_.find(*use_.front())->second);
        }
    }

    /// Forgets the file of entry `it` (it is gone).
    std::map<std::string, cached_file>::iterator forget(std::map<std::string, cached_file>::iterator it) noexcept {
        drop_parts(it->second);
        return cache_.erase(it);
    }

    /// Reads and parses the file at `path` (`st`: its stat just before) and records the outcome
    /// in its cache entry: whether it is a message and, room permitting, its properties and
    /// recipients. With `whole`, the message is also stored there, attachment rows included.
    /// Fails with the reason the file is not a message (`corrupt_data` when it does not parse).
    result<void> parse_file(const std::string& path, const struct stat& st, message_parts* whole) {
        ++file_reads_;
        auto slot = cache_.try_emplace(path).first;
        cached_file& c = slot->second;
        drop_parts(c);
        c.size = static_cast<std::uintmax_t>(st.st_size);
        c.mtime = mtime_of(st);
        c.message = false;
        std::string text;
        failure why;
        const auto status = read_whole_file(path, text, &why);
        if (status != read_status::ok) {
            if (status == read_status::absent) {
                why = fail(scode::not_found, "the file \"" + path + "\" disappeared while it was read", component);
            }
            c.code = why.code;
            c.problem = why.info;
            return why;
        }
        read_problem problem;
        std::optional<message_parts> parts = read_message(text, problem);
        if (!parts) {
            std::string where = "the file \"" + path + "\"";
            if (problem.line > 0) where += ", line " + std::to_string(problem.line) + ",";
            c.code = scode::corrupt_data;
            c.problem = error_info{component,
                                   where + " is not a message the Maildir store can read (" + problem.what +
                                       "); it was skipped and left as it is",
                                   0, static_cast<std::uint32_t>(problem.line), 0};
            return fail(c.code, c.problem);
        }
        c.message = true;
        c.code = scode::success;
        c.problem = {};
        if (whole != nullptr) {
            keep(slot->first, c, message_parts{parts->props, parts->recipients, {}});
            *whole = std::move(*parts);
        } else {
            keep(slot->first, c, message_parts{std::move(parts->props), std::move(parts->recipients), {}});
        }
        return {};
    }

    /// The cache entry of the file at `path`; the file is read only when the cache has no
    /// entry for it as `st` describes it.
    const cached_file& verdict(const std::string& path, const struct stat& st) {
        if (auto it = cache_.find(path); it != cache_.end() && same_file(it->second, st)) return it->second;
        static_cast<void>(parse_file(path, st, nullptr));
        return cache_.find(path)->second;
    }

    /// The message at `loc` with id `id`, or why its file cannot be read. Without attachment
    /// rows (`attachment_rows::left_out`) it comes from the cache when the cache kept it; the
    /// attachment rows are read from the file each time, and never kept.
    result<stored_message> build(std::uint64_t id, const location& loc,
                                 attachment_rows rows = attachment_rows::included) {
        const std::string path = path_of(loc);
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) return missing(id);
        stored_message m{id, loc.folder, {}, {}, {}};
        auto it = cache_.find(path);
        const bool known = it != cache_.end() && same_file(it->second, st);
        if (known && !it->second.message) return fail(it->second.code, it->second.problem);
        if (known && rows == attachment_rows::left_out && it->second.parts) {
            cached_file& c = it->second;
            use_.splice(use_.end(), use_, c.use);
            m.props = c.parts->props;
            m.recipients = c.parts->recipients;
        } else {
            message_parts whole;
            if (auto r = parse_file(path, st, &whole); !r) return std::move(r).as_failure();
            m.props = std::move(whole.props);
            m.recipients = std::move(whole.recipients);
            if (rows == attachment_rows::included) m.attachments = std::move(whole.attachments);
        }
        apply_letters(m.props, letters_of(loc.name));
        return m;
    }

    /// Lists new/ and cur/ of `folder`: gives ids to files seen for the first time (in name
    /// order) and records where every message is. Returns (id, location) sorted by id.
    result<std::vector<std::pair<std::uint64_t, location>>> scan(standard_folder folder) {
        if (auto r = load_ids(); !r) return std::move(r).as_failure();
        const std::string dir = folder_directory(root_, folder);
        struct entry {
            std::string base;
            location loc;
        };
        std::vector<entry> found;
        std::vector<std::string> seen_paths;
        for (const bool in_new : {true, false}) {
            const std::string sub = join_path(dir, in_new ? "new" : "cur");
            std::error_code ec;
            std::filesystem::directory_iterator it(sub, ec), end;
            if (ec) return fail(scode::disk_error, "the Maildir folder \"" + sub + "\" cannot be listed: " + ec.message(), component);
            for (; it != end; it.increment(ec)) {
                if (ec) break;
                const std::string name = it->path().filename().string();
                if (name.empty() || name.front() == '.' || name.find('\n') != std::string::npos) continue;
                std::error_code ec2;
                if (!it->is_regular_file(ec2)) continue;
                const std::string path = join_path(sub, name);
                struct stat st {};
                if (::stat(path.c_str(), &st) != 0) continue;
                seen_paths.push_back(path);
                if (!verdict(path, st).message) continue;
                found.push_back({std::string(base_of(name)), location{folder, in_new, name}});
            }
        }
        // Forget files of this folder that are gone.
        const std::string new_prefix = join_path(dir, "new") + "/", cur_prefix = join_path(dir, "cur") + "/";
        std::sort(seen_paths.begin(), seen_paths.end());
        for (auto it = cache_.begin(); it != cache_.end();) {
            const bool here = it->first.rfind(new_prefix, 0) == 0 || it->first.rfind(cur_prefix, 0) == 0;
            if (here && !std::binary_search(seen_paths.begin(), seen_paths.end(), it->first)) it = forget(it);
            else ++it;
        }
        for (auto it = duplicates_.begin(); it != duplicates_.end();) {
            const bool here = it->first.rfind(new_prefix, 0) == 0 || it->first.rfind(cur_prefix, 0) == 0;
            if (here) it = duplicates_.erase(it);
            else ++it;
        }
        std::sort(found.begin(), found.end(), [](const entry& a, const entry& b) { return a.loc.name < b.loc.name; });
        std::vector<std::string> unknown;
        for (const auto& e : found) {
            if (!ids_.contains(e.base)) unknown.push_back(e.base);
        }
        if (!unknown.empty()) {
            auto r = allocate(unknown);
            if (!r) return std::move(r).as_failure();
        }
        for (auto it = where_.begin(); it != where_.end();) {
            if (it->second.folder == folder) it = where_.erase(it);
            else ++it;
        }
        std::vector<std::pair<std::uint64_t, location>> out;
        for (auto& e : found) {
            const std::uint64_t id = ids_[e.base];
            if (where_.contains(id)) {
                const std::string path = path_of(e.loc);
                duplicates_[path] = error_info{component,
                                               "the file \"" + path + "\" has the same unique name as \"" +
                                                   path_of(where_[id]) + "\"; it was skipped and left as it is",
                                               0, 0, 0};
                continue;
            }
            where_[id] = e.loc;
            out.emplace_back(id, std::move(e.loc));
        }
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        return out;
    }

    std::string root_;
    std::map<std::string, std::uint64_t> ids_;
    std::uint64_t next_id_ = 1;
    std::size_t uidlist_read_ = 0;
    bool ends_with_newline_ = true;
    std::map<std::string, cached_file> cache_;
    std::list<const std::string*> use_;  // keys of the entries that keep their parts, least recently used first
    std::size_t held_bytes_ = 0;         // what those keep (bytes_held)
    std::size_t held_limit_ = maildir_default_cache_limit;
    std::uint64_t file_reads_ = 0;
    std::map<std::uint64_t, location> where_;
    std::map<std::string, error_info> duplicates_;
};

/// The state of the Maildir at `root`, shared by every logon of this process that opened it.
inline result<std::shared_ptr<store_state>> open_state(const std::string& root) {
    static std::mutex registry_mutex;
    static std::map<std::string, std::weak_ptr<store_state>> registry;
    std::error_code ec;
    std::string key = std::filesystem::weakly_canonical(std::filesystem::path(root), ec).string();
    if (ec || key.empty()) key = root;
    while (key.size() > 1 && key.back() == '/') key.pop_back();
    std::lock_guard guard(registry_mutex);
    for (auto it = registry.begin(); it != registry.end();) {
        if (it->second.expired()) it = registry.erase(it);
        else ++it;
    }
    if (auto it = registry.find(key); it != registry.end()) {
        if (auto s = it->second.lock()) return s;
    }
    auto s = std::make_shared<store_state>(key);
    {
        std::lock_guard state_guard(s->mutex);
        if (auto r = s->prepare(); !r) return std::move(r).as_failure();
    }
    registry[key] = s;
    return s;
}

} // namespace detail::maildir

/// One session's logon to a Maildir store. Every call after the logon ended returns
/// `end_of_session`. Thread-safe: the logons of one directory share one mutex.
class maildir_store_logon final : public store_logon {
public:
    /// A logon over the shared state of one directory.
    maildir_store_logon(std::shared_ptr<detail::maildir::store_state> state, std::string display_name)
        : state_(std::move(state)), display_name_(std::move(display_name)) {}
    maildir_store_logon(const maildir_store_logon&) = delete;
    maildir_store_logon& operator=(const maildir_store_logon&) = delete;
    ~maildir_store_logon() override = default;

    /// PR_DISPLAY_NAME of the store.
    [[nodiscard]] std::string display_name() const override { return display_name_; }
    /// The Maildir directory (its Inbox).
    [[nodiscard]] const std::string& root() const noexcept { return state_->root(); }
    /// The directory of `folder`: the root, or `root/.Outbox`, `root/.Sent Items`, ...
    [[nodiscard]] std::string folder_path(standard_folder folder) const {
        return detail::maildir::folder_directory(state_->root(), folder);
    }
    /// True once the logon ended.
    [[nodiscard]] bool logged_off() const noexcept { return logged_off_.load(); }

    /// The folder names, in display order.
    [[nodiscard]] result<std::vector<std::string>> folders() const {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        std::vector<std::string> out;
        for (auto f : all_standard_folders) out.emplace_back(folder_name(f));
        return out;
    }

    /// The path of the file that holds message `id` (its name carries the flags).
    [[nodiscard]] result<std::string> message_path(std::uint64_t id) const {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        std::lock_guard guard(state_->mutex);
        auto loc = state_->locate(id);
        if (!loc) return std::move(loc).as_failure();
        return state_->path_of(*loc);
    }

    /// The files the store found in its folders but could not read, one `error_info` each
    /// naming the file (and the line, also in `context`). They are left as they are; a file
    /// that becomes readable drops off this list.
    [[nodiscard]] std::vector<error_info> skipped_files() const {
        std::lock_guard guard(state_->mutex);
        return state_->problems();
    }

    /// What the directory's parse cache holds now, and how many message files it has read.
    [[nodiscard]] maildir_cache_stats cache_stats() const {
        std::lock_guard guard(state_->mutex);
        return state_->cache_stats();
    }

    /// Bounds what the parse cache of this directory keeps (properties and recipient rows of
    /// the messages read last; attachment rows are never kept) to about `bytes`, for every
    /// logon of the directory in this process. The default is `maildir_default_cache_limit`;
    /// 0 keeps none, so every read of a message reads its file. Works after logoff too.
    void set_cache_limit(std::size_t bytes) {
        std::lock_guard guard(state_->mutex);
        state_->set_cache_limit(bytes);
    }

    /// Ends the logon: later calls return `end_of_session`.
    task<void> logoff() override {
        logged_off_.store(true);
        co_return;
    }

protected:
    result<std::uint64_t> do_create_message(standard_folder folder, message_content content) override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        std::lock_guard guard(state_->mutex);
        return state_->create(folder, std::move(content));
    }
    [[nodiscard]] result<stored_message> do_open_message(std::uint64_t id) const override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        std::lock_guard guard(state_->mutex);
        return state_->get(id);
    }
    [[nodiscard]] result<std::vector<stored_message>> do_messages(standard_folder folder) const override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        std::lock_guard guard(state_->mutex);
        return state_->list(folder);
    }
    [[nodiscard]] result<stored_message> do_open_message_without_attachments(std::uint64_t id) const override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        std::lock_guard guard(state_->mutex);
        return state_->get(id, attachment_rows::left_out);
    }
    [[nodiscard]] result<std::vector<stored_message>> do_messages_without_attachments(
        standard_folder folder) const override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        std::lock_guard guard(state_->mutex);
        return state_->list(folder, attachment_rows::left_out);
    }
    // The folder's new/ and cur/ are directories it may list: no file is read.
    [[nodiscard]] bool do_exposes_messages(standard_folder folder) const override {
        if (logged_off_.load()) return false;
        const std::string dir = folder_path(folder);
        for (const char* sub : {"new", "cur"}) {
            const std::string path = detail::join_path(dir, sub);
            struct stat st {};
            if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || ::access(path.c_str(), R_OK | X_OK) != 0) {
                return false;
            }
        }
        return true;
    }
    result<void> do_update_message(std::uint64_t id, const property_bag& changes,
                                   const std::vector<property_bag>* recipients) override {
        if (auto r = alive(); !r) return r;
        std::lock_guard guard(state_->mutex);
        return state_->update(id, changes, recipients);
    }
    result<void> do_move_message(std::uint64_t id, standard_folder folder) override {
        if (auto r = alive(); !r) return r;
        std::lock_guard guard(state_->mutex);
        return state_->move(id, folder);
    }
    result<void> do_delete_message(std::uint64_t id) override {
        if (auto r = alive(); !r) return r;
        std::lock_guard guard(state_->mutex);
        auto loc = state_->locate(id);
        if (!loc) return std::move(loc).as_failure();
        if (loc->folder == standard_folder::deleted_items) return state_->erase(id);
        return state_->move(id, standard_folder::deleted_items);
    }

private:
    result<void> alive() const {
        if (logged_off_.load()) {
            return fail(scode::end_of_session, "the store \"" + display_name_ + "\" was logged off",
                        detail::maildir::component);
        }
        return {};
    }

    std::shared_ptr<detail::maildir::store_state> state_;
    std::string display_name_;
    std::atomic<bool> logged_off_{false};
};

/// A store provider over a Maildir++ directory. The directory comes from `maildir_path_tag`
/// in the provider's profile section (or its service's section); without one, or when the
/// directory cannot be made, logon answers `unconfigured` so that the session configures the
/// message service and retries. Missing folders are created at logon. The logon publishes its
/// status row (STATUS_AVAILABLE).
///
/// \code
/// providers.add_store("MXXMAILDIR", [] { return std::make_unique<maildir_store>(); });
/// // provider section: maildir_path_tag = "/home/me/Maildir"
/// auto store = s->default_store_as<maildir_store_logon>().value();
/// store->create_message(standard_folder::outbox, {{pr::subject, "hello"}});
/// \endcode
class maildir_store final : public store_provider {
public:
    /// A provider; `max_sessions` limits the live logons of its DLL (0: none).
    explicit maildir_store(std::size_t max_sessions = 0) : max_sessions_(max_sessions) {}

    /// The limit given to the constructor.
    [[nodiscard]] std::size_t max_sessions() const override { return max_sessions_; }

    /// Opens the Maildir named by the profile.
    task<result<std::unique_ptr<store_logon>>> logon(provider_context& ctx) override {
        std::optional<std::string_view> path = ctx.section.props().get_string(maildir_path_tag);
        if (!path || path->empty()) path = ctx.service_section.get_string(maildir_path_tag);
        if (!path || path->empty()) {
            co_return fail(scode::unconfigured,
                           "the Maildir store \"" + ctx.provider.display_name + "\" has no directory: its profile section "
                           "has no " + to_string(maildir_path_tag) + " (the Maildir path)",
                           detail::maildir::component);
        }
        auto state = detail::maildir::open_state(std::string(*path));
        if (!state) {
            co_return fail(scode::unconfigured,
                           "the Maildir directory \"" + std::string(*path) + "\" cannot be used: " + state.info().message,
                           detail::maildir::component);
        }
        std::string name = ctx.provider.display_name;
        if (name.empty()) name = "Maildir";
        property_bag row;
        (void)row.set(pr::display_name, name);
        (void)row.set(pr::status_code, static_cast<std::int32_t>(status_code::available));
        (void)row.set(pr::status_string, std::string("Available"));
        (void)ctx.support.modify_status_row(row, true);
        co_return std::unique_ptr<store_logon>(std::make_unique<maildir_store_logon>(std::move(*state), std::move(name)));
    }

private:
    std::size_t max_sessions_;
};

} // namespace mapixx::inline v0

#endif
