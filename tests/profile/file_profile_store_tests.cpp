// SPDX-License-Identifier: MIT
// Tests of file_profile_store: round trips of rich profiles, every profile_store operation and
// its error codes (the same rules run against memory_profile_store), permissions, damaged files,
// and the multi-process guarantees: no lost update, and crash safety under SIGKILL.
#include <mapixx/profile/file_profile_store.hpp>
#include <mapixx/profile/memory_profile_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace file_profile_store_tests {

using namespace mapixx;

namespace {

/// A fresh directory under /tmp, removed with everything in it at the end of the test.
class temp_dir {
public:
    temp_dir() {
        char pattern[] = "/tmp/mapixx-store-XXXXXX";
        const char* made = ::mkdtemp(pattern);
        REQUIRE(made != nullptr);
        path_ = made;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<unsigned>(st.st_mode & 07777);
}

/// The line number (1-based) of the first line of `text` that contains `needle`, or 0.
std::size_t line_of(const std::string& text, const std::string& needle) {
    std::istringstream in(text);
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (line.find(needle) != std::string::npos) return n;
    }
    return 0;
}

/// `text` with the line that contains `needle` replaced by `replacement` (no line break added).
std::string replace_line(const std::string& text, const std::string& needle, const std::string& replacement) {
    std::istringstream in(text);
    std::string line, out;
    bool done = false;
    while (std::getline(in, line)) {
        if (!done && line.find(needle) != std::string::npos) {
            out += replacement;
            done = true;
        } else {
            out += line;
        }
        out += '\n';
    }
    REQUIRE(done);
    return out;
}

/// The file profiles.ini keeps `name` in, read from profiles.ini itself.
std::string file_of(const std::string& dir, const std::string& name) {
    std::istringstream in(slurp(dir + "/profiles.ini"));
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq != std::string::npos && line.substr(eq + 1) == name && line.size() > 4 &&
            line.substr(eq - 4, 4) == ".ini") {
            return dir + "/" + line.substr(0, eq);
        }
    }
    FAIL("profiles.ini does not name ", name);
    return {};
}

profile named(std::string name, bool is_default = false) {
    profile p;
    p.name = std::move(name);
    p.is_default = is_default;
    p.search_key = uid::generate();
    return p;
}

uid fixed_uid(std::uint8_t seed) {
    uid u;
    for (std::size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(seed * 17 + i * 31);
    return u;
}

/// A profile with everything the format has to carry: several services, providers of every
/// resource type, flags (one with a bit no SDK name covers), extra sections, every property
/// type mapixx stores (strings that need quoting among them), a secure property, an empty
/// section, a transport order and non-ASCII text.
profile rich_profile(std::string name = "B\xC3\xBCro \xE2\x80\x93 \xC3\x84rger \xE2\x9C\x89 = [x]; #1") {
    profile p;
    p.name = std::move(name);
    p.search_key = fixed_uid(1);

    message_service a;
    a.name = "MXX";
    a.display_name = "Mapixx Demo Service \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC";
    a.dll_name = "MXX.DLL";
    a.entry_name = "ServiceEntry";
    a.flags = service_flag::single_copy | service_flag::primary_identity;
    a.service_uid = fixed_uid(2);
    a.extra_sections = {fixed_uid(3), fixed_uid(4)};
    const resource_type types[] = {resource_type::store_provider, resource_type::ab_provider,
                                   resource_type::transport_provider, resource_type::hook_provider,
                                   resource_type::profile_provider, resource_type::spooler,
                                   resource_type::ab, resource_type::subsystem};
    std::uint8_t seed = 10;
    for (resource_type t : types) {
        provider_entry e;
        e.section_name = "MXX " + std::string(sdk_name(t));
        e.display_name = "  padded display name  ";
        e.provider_display = "\"quoted\"";
        e.dll_name = "MXX.DLL";
        e.type = t;
        e.flags = t == resource_type::store_provider ? resource_flag::default_store | resource_flag::primary_store
                  : t == resource_type::transport_provider ? resource_flag::xp_prefer_last | resource_flag::own_store
                                                           : resource_flags{};
        e.provider_uid = fixed_uid(seed++);
        a.providers.push_back(e);
    }

    message_service b;
    b.name = "MSPST MS";
    b.display_name = "";
    b.dll_name = "mspst.dll";
    b.entry_name = "PSTServiceEntry";
    b.flags = service_flags::from_bits_unchecked(0x80000001u);  // an unnamed bit must survive too
    b.service_uid = fixed_uid(30);
    provider_entry pst;
    pst.section_name = "MSPST MSP";
    pst.display_name = "Personal Folders";
    pst.provider_display = "Personal Folders";
    pst.dll_name = "mspst.dll";
    pst.type = resource_type::store_provider;
    pst.flags = resource_flags::from_bits_unchecked(0x00400002u);
    pst.provider_uid = fixed_uid(31);
    b.providers.push_back(pst);

    message_service c;  // a service without providers or extra sections
    c.name = "EMPTY";
    c.display_name = "Line\nbreak and \ttab";
    c.service_uid = fixed_uid(40);

    p.services = {a, b, c};
    p.transport_order = {a.providers[2].provider_uid, fixed_uid(99)};

    property_bag everything;
    auto put = [&](std::uint16_t id, prop_type t, prop_data d) { REQUIRE(everything.set(prop_value(prop_tag(id, t), std::move(d)))); };
    put(0x6600, prop_type::null, std::monostate{});
    put(0x6601, prop_type::i2, std::int16_t{-12345});
    put(0x6602, prop_type::i4, std::int32_t{-7});
    put(0x6603, prop_type::r4, 1.5);
    put(0x6604, prop_type::r8, -0.1);
    put(0x6605, prop_type::currency, std::int64_t{123456789012345});
    put(0x6606, prop_type::apptime, 45000.25);
    put(0x6607, prop_type::error, scode::not_found);
    put(0x6608, prop_type::boolean, true);
    put(0x6609, prop_type::object, std::monostate{});
    put(0x660A, prop_type::i8, std::int64_t{-1});
    put(0x660B, prop_type::string8, std::string("  leading and trailing  "));
    put(0x660C, prop_type::unicode, std::string("\xE2\x9C\x89 \xC3\xA9t\xC3\xA9 \\u{41} \"q\" ; # [s] a=b"));
    put(0x660D, prop_type::systime, filetime{133000000000000000ull});
    put(0x660E, prop_type::clsid, fixed_uid(50));
    put(0x660F, prop_type::binary, binary{0x00, 0xFF, 0x10, 0x0A});
    put(0x6610, prop_type::mv_i2, std::vector<std::int16_t>{1, -2, 3});
    put(0x6611, prop_type::mv_i4, std::vector<std::int32_t>{-1, 0, 65536});
    put(0x6612, prop_type::mv_i8, std::vector<std::int64_t>{std::int64_t{1} << 40, -5});
    put(0x6613, prop_type::mv_string8, std::vector<std::string>{"a, b", "", " c ", "\"d\""});
    put(0x6614, prop_type::mv_unicode, std::vector<std::string>{"\xC3\xBC", "x\ny"});
    put(0x6615, prop_type::mv_systime, std::vector<filetime>{{1}, {2}});
    put(0x6616, prop_type::mv_clsid, std::vector<uid>{fixed_uid(51), fixed_uid(52)});
    put(0x6617, prop_type::mv_binary, std::vector<binary>{{1, 2}, {}, {3}});
    put(0x6618, prop_type::string8, std::string());
    put(0x6619, prop_type::mv_i4, std::vector<std::int32_t>{});
    put(0x67F0, prop_type::string8, std::string("s3cret password"));  // secure range
    put(0x67F1, prop_type::binary, binary{0xDE, 0xAD});
    p.sections[fixed_uid(60)] = everything;
    p.sections[a.service_uid] = property_bag{prop_value(pr::display_name, "Mapixx Demo Service"),
                                             prop_value(pr::service_name_a, "MXX"),
                                             prop_value(pr::resource_flags, std::int32_t{0x0A})};
    p.sections[a.providers[0].provider_uid] =
        property_bag{prop_value(pr::display_name_a, "Not the struct's display name"),
                     prop_value(pr::resource_flags, std::int32_t{0x1002})};
    p.sections[fixed_uid(3)] = property_bag{};  // an empty extra section
    p.sections[uids::profile_instance] =
        property_bag{prop_value(pr::search_key, binary(p.search_key.bytes.begin(), p.search_key.bytes.end())),
                     prop_value(pr::profile_name, p.name)};
    return p;
}

/// The two kinds of store, for tests of the rules both must follow.
struct memory_kind {
    std::unique_ptr<profile_store> make() { return std::make_unique<memory_profile_store>(); }
};
struct file_kind {
    temp_dir dir;
    std::unique_ptr<profile_store> make() { return std::make_unique<file_profile_store>(dir.path()); }
};

/// Runs `body` in a child process and returns its exit status (the child never returns into
/// doctest).
template <class F>
pid_t spawn(F&& body) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int code = 1;
        try {
            code = body();
        } catch (...) {
            code = 3;
        }
        ::_exit(code);
    }
    return pid;
}

int wait_exit(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/// True if the lock file can be locked at once (nobody holds it).
bool lock_is_free(const temp_dir& dir) {
    const int fd = ::open((dir / ".lock").c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT;
    const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);  // releases it
    return free;
}

bool has_error(const std::vector<diagnostic>& ds) {
    return std::any_of(ds.begin(), ds.end(), [](const diagnostic& d) { return d.level == diagnostic::severity::error; });
}

std::string all_messages(const std::vector<diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) out += d.to_string() + "\n";
    return out;
}

} // namespace

TEST_SUITE("file_profile_store.hpp") {

// ------------------------------------------------------------------------------------------
// Round trips

TEST_CASE("a rich profile comes back equal after create and load") {
    temp_dir dir;
    file_profile_store store(dir.path());
    profile p = rich_profile();
    p.is_default = true;
    REQUIRE(store.create(p));
    auto loaded = store.load(p.name);
    REQUIRE_MESSAGE(loaded, loaded.info().message);
    CHECK(loaded->name == p.name);
    CHECK(loaded->search_key == p.search_key);
    CHECK(loaded->services == p.services);
    CHECK(loaded->transport_order == p.transport_order);
    for (const auto& section : p.sections) {
        const std::string id = section.first.to_string();
        CAPTURE(id);
        const property_bag* bag = loaded->section(section.first);
        REQUIRE(bag != nullptr);
        for (const auto& v : section.second) {
            CAPTURE(to_string(v.tag()));
            const prop_value* got = bag->find(v.tag());
            REQUIRE(got != nullptr);
            CHECK(got->tag() == v.tag());
            CHECK(*got == v);
        }
    }
    CHECK(*loaded == p);
    CHECK(store.check().empty());
}

TEST_CASE("a second store object on the same directory reads what the first wrote, and the other way round") {
    temp_dir dir;
    file_profile_store first(dir.path());
    const profile p = rich_profile();
    REQUIRE(first.create(p));
    REQUIRE(first.create(named("Second")));
    REQUIRE(first.set_default("Second"));

    file_profile_store second(dir.path());
    CHECK(second.names().value() == std::vector<std::string>{p.name, "Second"});
    CHECK(second.default_profile().value() == std::optional<std::string>("Second"));
    CHECK(second.load(p.name).value() == p);

    REQUIRE(second.update(p.name, [](profile& q) -> result<void> {
        q.services.erase(q.services.begin());
        q.transport_order.clear();
        return q.sections[uids::profile_instance].set(pr::display_name, "changed by the second store");
    }));
    profile expected = p;
    expected.services.erase(expected.services.begin());
    expected.transport_order.clear();
    REQUIRE(expected.sections[uids::profile_instance].set(pr::display_name, "changed by the second store"));
    CHECK(first.load(p.name).value() == expected);
}

TEST_CASE("saving a loaded profile again writes the same bytes") {
    temp_dir dir;
    file_profile_store store(dir.path());
    const profile p = rich_profile();
    REQUIRE(store.create(p));
    const std::string path = file_of(dir.path(), p.name);
    const std::string before = slurp(path);
    REQUIRE(store.update(p.name, [](profile&) -> result<void> { return {}; }));
    CHECK(slurp(path) == before);
}

TEST_CASE("the profile file is readable INI: a section per profile-section uid and TAG=value lines") {
    temp_dir dir;
    file_profile_store store(dir.path());
    const profile p = rich_profile();
    REQUIRE(store.create(p));
    const std::string path = file_of(dir.path(), p.name);
    const std::string name = path.substr(path.rfind('/') + 1);
    CHECK(detail::is_profile_file_name(name));  // a hex id, not the profile's name
    const std::string text = slurp(path);
    CHECK(line_of(text, "[" + p.services[0].service_uid.to_string() + "]") != 0);
    CHECK(line_of(text, "[" + uids::profile_instance.to_string() + "]") != 0);
    CHECK(line_of(text, "PR_DISPLAY_NAME_W=Mapixx Demo Service") != 0);
    CHECK(line_of(text, "PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER") != 0);
    CHECK(line_of(text, "PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY|SERVICE_PRIMARY_IDENTITY") != 0);
    CHECK(line_of(text, "660B001E=\"  leading and trailing  \"") != 0);
    const std::string index = slurp(dir / "profiles.ini");
    CHECK(line_of(index, name + "=" + p.name) != 0);
}

TEST_CASE("profile names with characters that mean something in INI files or paths are stored safely") {
    temp_dir dir;
    file_profile_store store(dir.path());
    const std::vector<std::string> odd = {"a/b/../c", "[Profiles]", ";comment", "#hash", "x=y=z", "..", "\"q\"",
                                          "\xC3\x9C" "ber \xE2\x9C\x89"};
    for (const auto& n : odd) REQUIRE_MESSAGE(store.create(named(n)), n);
    CHECK(store.names().value() == odd);
    for (const auto& n : odd) CHECK(store.load(n)->name == n);
    CHECK(store.check().empty());
    CHECK(std::filesystem::exists(dir / "profiles.ini"));
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        const std::string f = entry.path().filename().string();
        CHECK((f == "profiles.ini" || f == ".lock" || detail::is_profile_file_name(f)));
    }
}

// ------------------------------------------------------------------------------------------
// The profile_store rules, on both stores

TEST_CASE_TEMPLATE("names keep creation order and compare without regard to case", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    REQUIRE(store->create(named("Zulu")));
    REQUIRE(store->create(named("alpha")));
    REQUIRE(store->create(named("Mike")));
    CHECK(store->names().value() == std::vector<std::string>{"Zulu", "alpha", "Mike"});
    CHECK(store->load("ZULU")->name == "Zulu");
    CHECK(store->load("Alpha")->name == "alpha");
    auto dup = store->create(named("MIKE"));
    CHECK(dup.code() == scode::no_access);
    CHECK(store->names().value().size() == 3);
}

TEST_CASE_TEMPLATE("create rejects bad names with invalid_parameter and stores nothing", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    for (std::string bad : {std::string(), std::string(" x"), std::string("x "), std::string("a\\b"),
                            std::string("a\nb"), std::string(65, 'n')}) {
        CAPTURE(bad);
        CHECK(store->create(named(bad)).code() == scode::invalid_parameter);
    }
    CHECK(store->names().value().empty());
}

TEST_CASE_TEMPLATE("load, update, remove, rename and set_default of a missing profile are not_found", kind, memory_kind,
                   file_kind) {
    kind k;
    auto store = k.make();
    REQUIRE(store->create(named("Here", true)));
    CHECK(store->load("Gone").code() == scode::not_found);
    CHECK(store->update("Gone", [](profile&) -> result<void> { return {}; }).code() == scode::not_found);
    CHECK(store->remove("Gone").code() == scode::not_found);
    CHECK(store->rename("Gone", "Other").code() == scode::not_found);
    CHECK(store->set_default("Gone").code() == scode::not_found);
    CHECK(store->default_profile().value() == std::optional<std::string>("Here"));
}

TEST_CASE_TEMPLATE("a failing change stores nothing and returns its own failure", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    const profile p = rich_profile("Work");
    REQUIRE(store->create(p));
    auto r = store->update("work", [](profile& q) -> result<void> {
        q.services.clear();
        return fail(scode::user_cancel, "cancelled", "test");
    });
    CHECK(r.code() == scode::user_cancel);
    CHECK(store->load("Work").value() == p);
}

TEST_CASE_TEMPLATE("a throwing change stores nothing and leaves the store usable", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    const profile p = rich_profile("Work");
    REQUIRE(store->create(p));
    CHECK_THROWS_AS((void)store->update("Work",
                                        [](profile& q) -> result<void> {
                                            q.services.clear();
                                            throw std::runtime_error("boom");
                                        }),
                    std::runtime_error);
    CHECK(store->load("Work").value() == p);
    CHECK(store->update("Work", [](profile&) -> result<void> { return {}; }));  // no lock left held
}

TEST_CASE_TEMPLATE("an update that renames is refused with invalid_parameter", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    REQUIRE(store->create(named("Work")));
    auto r = store->update("Work", [](profile& q) -> result<void> {
        q.name = "Elsewhere";
        return {};
    });
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(store->names().value() == std::vector<std::string>{"Work"});
}

TEST_CASE_TEMPLATE("update applies a change of is_default", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    REQUIRE(store->create(named("One", true)));
    REQUIRE(store->create(named("Two")));
    REQUIRE(store->update("Two", [](profile& q) -> result<void> {
        q.is_default = true;
        q.transport_order.push_back(fixed_uid(7));
        return {};
    }));
    CHECK(store->default_profile().value() == std::optional<std::string>("Two"));
    CHECK_FALSE(store->load("One")->is_default);
    CHECK(store->load("Two")->transport_order == std::vector<uid>{fixed_uid(7)});
    REQUIRE(store->update("Two", [](profile& q) -> result<void> {
        q.is_default = false;
        return {};
    }));
    CHECK_FALSE(store->default_profile().value().has_value());
}

TEST_CASE_TEMPLATE("create with is_default makes the profile the default", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    REQUIRE(store->create(named("One", true)));
    REQUIRE(store->create(named("Two", true)));
    CHECK(store->default_profile().value() == std::optional<std::string>("Two"));
    CHECK_FALSE(store->load("One")->is_default);
    CHECK(store->load("Two")->is_default);
}

TEST_CASE_TEMPLATE("remove takes the profile and its default mark away", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    REQUIRE(store->create(named("One", true)));
    REQUIRE(store->create(named("Two")));
    REQUIRE(store->remove("one"));
    CHECK(store->names().value() == std::vector<std::string>{"Two"});
    CHECK_FALSE(store->default_profile().value().has_value());
    CHECK(store->load("One").code() == scode::not_found);
    CHECK(store->remove("One").code() == scode::not_found);
}

TEST_CASE_TEMPLATE("rename keeps place, contents and default mark, and reports its errors", kind, memory_kind,
                   file_kind) {
    kind k;
    auto store = k.make();
    REQUIRE(store->create(named("One")));
    const profile two = rich_profile("Two");
    REQUIRE(store->create(two));
    REQUIRE(store->create(named("Three")));
    REQUIRE(store->set_default("Two"));
    CHECK(store->rename("Two", "ONE").code() == scode::no_access);
    CHECK(store->rename("Two", "bad ").code() == scode::invalid_parameter);
    CHECK(store->rename("Nobody", "Four").code() == scode::not_found);
    REQUIRE(store->rename("two", "Deux"));
    CHECK(store->names().value() == std::vector<std::string>{"One", "Deux", "Three"});
    CHECK(store->default_profile().value() == std::optional<std::string>("Deux"));
    profile expected = two;
    expected.name = "Deux";
    expected.is_default = true;
    CHECK(store->load("Deux").value() == expected);
    CHECK(store->load("Two").code() == scode::not_found);
    REQUIRE(store->rename("Deux", "DEUX"));  // only the case changes
    CHECK(store->names().value() == std::vector<std::string>{"One", "DEUX", "Three"});
}

TEST_CASE_TEMPLATE("set_default moves the mark and nullopt clears it", kind, memory_kind, file_kind) {
    kind k;
    auto store = k.make();
    REQUIRE(store->create(named("One")));
    REQUIRE(store->create(named("Two")));
    CHECK_FALSE(store->default_profile().value().has_value());
    REQUIRE(store->set_default("ONE"));
    CHECK(store->default_profile().value() == std::optional<std::string>("One"));
    REQUIRE(store->set_default("two"));
    CHECK(store->default_profile().value() == std::optional<std::string>("Two"));
    CHECK_FALSE(store->load("One")->is_default);
    REQUIRE(store->set_default(std::nullopt));
    CHECK_FALSE(store->default_profile().value().has_value());
    CHECK_FALSE(store->load("Two")->is_default);
}

// ------------------------------------------------------------------------------------------
// Directory, files and permissions

TEST_CASE("a store on a missing directory reads as empty and the first write creates it 0700") {
    temp_dir dir;
    const std::string where = dir / "deeper/still";
    file_profile_store store(where);
    CHECK(store.names().value().empty());
    CHECK(store.load("x").code() == scode::not_found);
    CHECK(store.check().empty());
    CHECK_FALSE(std::filesystem::exists(where));
    const mode_t old = ::umask(0);  // the most permissive umask must not leak into the modes
    auto r = store.create(named("Work"));
    ::umask(old);
    REQUIRE(r);
    CHECK(mode_of(where) == 0700);
    CHECK(mode_of(dir / "deeper") == 0700);
    CHECK(mode_of(where + "/profiles.ini") == 0600);
    CHECK(mode_of(where + "/.lock") == 0600);
    for (const auto& entry : std::filesystem::directory_iterator(where)) {
        CAPTURE(entry.path().string());
        CHECK(mode_of(entry.path().string()) == 0600);
    }
}

TEST_CASE("files keep mode 0600 under a umask that would remove the owner's bits, and after every kind of write") {
    temp_dir dir;
    file_profile_store store(dir / "s");
    const mode_t old = ::umask(0277);
    REQUIRE(store.create(named("One")));
    REQUIRE(store.create(named("Two")));
    REQUIRE(store.update("One", [](profile& p) -> result<void> {
        p.is_default = true;
        return {};
    }));
    REQUIRE(store.rename("Two", "Deux"));
    ::umask(old);
    CHECK(mode_of(dir / "s") == 0700);
    for (const auto& entry : std::filesystem::directory_iterator(dir / "s")) {
        CAPTURE(entry.path().string());
        CHECK(mode_of(entry.path().string()) == 0600);
    }
}

TEST_CASE("check reports files and a directory that group or others can read, with the chmod that fixes them") {
    temp_dir dir;
    const std::string where = dir / "s";
    file_profile_store store(where);
    REQUIRE(store.create(named("Work")));
    CHECK(store.check().empty());
    const std::string file = file_of(where, "Work");
    REQUIRE(::chmod(file.c_str(), 0644) == 0);
    REQUIRE(::chmod(where.c_str(), 0755) == 0);
    const auto ds = store.check();
    CAPTURE(all_messages(ds));
    REQUIRE(ds.size() == 2);
    auto about = [&](const std::string& path) {
        return std::find_if(ds.begin(), ds.end(), [&](const diagnostic& d) { return d.file == path; });
    };
    REQUIRE(about(file) != ds.end());
    CHECK(about(file)->message.find("0644") != std::string::npos);
    CHECK(about(file)->message.find("chmod 600 " + file) != std::string::npos);
    REQUIRE(about(where) != ds.end());
    CHECK(about(where)->message.find("chmod 700 " + where) != std::string::npos);
    // The data itself is still served: a permission problem is reported, not fatal.
    CHECK(store.load("Work"));
}

TEST_CASE("access_diagnostics reports only the access problems, of every file in the store, without reading one") {
    temp_dir dir;
    const std::string where = dir / "s";
    file_profile_store store(where);
    CHECK(store.access_diagnostics().empty());  // no directory yet
    REQUIRE(store.create(named("Work")));
    REQUIRE(store.create(named("Home")));
    CHECK(store.access_diagnostics().empty());
    const std::string file = file_of(where, "Work");
    REQUIRE(::chmod(file.c_str(), 0640) == 0);
    {
        std::ofstream stray(where + "/notes.txt");  // any regular file in the store counts
        stray << "x\n";
    }
    REQUIRE(::chmod((where + "/notes.txt").c_str(), 0604) == 0);
    const auto ds = store.access_diagnostics();
    CAPTURE(all_messages(ds));
    REQUIRE(ds.size() == 2);
    std::vector<std::string> files;
    for (const auto& d : ds) {
        CHECK(d.level == diagnostic::severity::warning);
        CHECK(d.message.find("chmod 600 " + d.file) != std::string::npos);
        files.push_back(d.file);
    }
    std::vector<std::string> expected{file, where + "/notes.txt"};
    std::sort(expected.begin(), expected.end());
    CHECK(files == expected);  // in path order
    REQUIRE(::chmod(where.c_str(), 0711) == 0);
    const auto with_dir = store.access_diagnostics();
    REQUIRE(with_dir.size() == 3);
    CHECK(with_dir.front().file == where);
    CHECK(with_dir.front().message.find("chmod 700 " + where) != std::string::npos);
}

// ------------------------------------------------------------------------------------------
// Damaged files

namespace {

/// A store in a fresh directory with a rich profile "Damaged" and a healthy profile "Healthy".
struct damage_fixture {
    temp_dir dir;
    file_profile_store store{dir.path()};
    profile damaged = rich_profile("Damaged");
    profile healthy = rich_profile("Healthy");
    std::string path;

    damage_fixture() {
        damaged.is_default = true;
        REQUIRE(store.create(damaged));
        REQUIRE(store.create(healthy));
        path = file_of(dir.path(), "Damaged");
    }

    /// The failure must be corrupt_data naming `file` and `line` (0: no line), while the
    /// healthy profile still loads.
    void expect_corrupt(const result<profile>& r, const std::string& file, std::size_t line) {
        REQUIRE_FALSE(r);
        CHECK(r.code() == scode::corrupt_data);
        CAPTURE(r.info().message);
        CHECK(r.info().message.find(file) != std::string::npos);
        if (line != 0) {
            CHECK(r.info().message.find("line " + std::to_string(line)) != std::string::npos);
            CHECK(r.info().context == line);
        }
        auto other = store.load("Healthy");
        REQUIRE_MESSAGE(other, other.info().message);
        CHECK(*other == healthy);
    }

    /// check() must report an error at `file`:`line`.
    void expect_checked(const std::string& file, std::size_t line) {
        const auto ds = store.check();
        CAPTURE(all_messages(ds));
        CHECK(std::any_of(ds.begin(), ds.end(), [&](const diagnostic& d) {
            return d.level == diagnostic::severity::error && d.file == file && d.line == line;
        }));
    }
};

/// `text` without the section headed `header` (its header line up to the next blank line).
std::string remove_block(const std::string& text, const std::string& header) {
    const auto at = text.find(header + "\n");
    REQUIRE(at != std::string::npos);
    const auto end = text.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    return text.substr(0, at) + text.substr(end + 2);
}

} // namespace

TEST_CASE("a line that is neither a section nor TAG=value makes load fail with corrupt_data, file and line") {
    damage_fixture f;
    const std::string text = slurp(f.path);
    const std::size_t line = line_of(text, "PR_PROVIDER_DISPLAY=") + 1;
    spit(f.path, replace_line(text, "PR_PROVIDER_DISPLAY=", "PR_PROVIDER_DISPLAY=x\nthe rest of a wrapped line"));
    f.expect_corrupt(f.store.load("Damaged"), f.path, line);
    f.expect_checked(f.path, line);
    CHECK(f.store.names().value() == std::vector<std::string>{"Damaged", "Healthy"});
}

TEST_CASE("a value that does not fit its type makes load fail with corrupt_data at its line") {
    damage_fixture f;
    const std::string text = slurp(f.path);
    const std::size_t line = line_of(text, "PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER");
    REQUIRE(line != 0);
    spit(f.path, replace_line(text, "PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER", "PR_RESOURCE_TYPE=MAPI_NO_SUCH_THING"));
    f.expect_corrupt(f.store.load("Damaged"), f.path, line);
    f.expect_checked(f.path, line);
}

TEST_CASE("a bad property value inside a profile section is reported at its line") {
    damage_fixture f;
    const std::string text = slurp(f.path);
    const std::size_t line = line_of(text, "660F0102=");
    REQUIRE(line != 0);
    spit(f.path, replace_line(text, "660F0102=", "660F0102=ABC"));  // odd number of hex digits
    f.expect_corrupt(f.store.load("Damaged"), f.path, line);
}

TEST_CASE("a missing provider section is reported at the Providers= line that counts it") {
    damage_fixture f;
    const std::string text = slurp(f.path);
    const std::size_t line = line_of(text, "Providers=8");
    REQUIRE(line != 0);
    spit(f.path, remove_block(text, "[Service 1 Provider 3]"));
    auto r = f.store.load("Damaged");
    f.expect_corrupt(r, f.path, line);
    CHECK(r.info().message.find("Service 1 Provider 3") != std::string::npos);
}

TEST_CASE("a profile file cut short is corrupt_data, even when the cut falls between two lines") {
    damage_fixture f;
    const std::string text = slurp(f.path);
    // Cut just before the last profile section: every remaining line is well-formed.
    const auto last = text.rfind("\n[", text.rfind("\n[") - 1);
    REQUIRE(last != std::string::npos);
    spit(f.path, text.substr(0, last + 1));
    f.expect_corrupt(f.store.load("Damaged"), f.path, 0);
    // And cut in the middle of a line.
    spit(f.path, text.substr(0, text.size() / 2));
    f.expect_corrupt(f.store.load("Damaged"), f.path, 0);
}

TEST_CASE("an empty profile file is corrupt_data") {
    damage_fixture f;
    spit(f.path, "");
    f.expect_corrupt(f.store.load("Damaged"), f.path, 0);
}

TEST_CASE("profiles.ini naming a file that does not exist is corrupt_data at that line of profiles.ini") {
    damage_fixture f;
    const std::string index = f.dir / "profiles.ini";
    const std::string name = f.path.substr(f.path.rfind('/') + 1);
    const std::size_t line = line_of(slurp(index), name + "=Damaged");
    REQUIRE(line != 0);
    REQUIRE(::unlink(f.path.c_str()) == 0);
    auto r = f.store.load("Damaged");
    f.expect_corrupt(r, index, line);
    CHECK(r.info().message.find(f.path) != std::string::npos);
    f.expect_checked(index, line);
    // A writer that needs the file refuses too, and says why.
    CHECK(f.store.update("Damaged", [](profile&) -> result<void> { return {}; }).code() == scode::corrupt_data);
    CHECK(f.store.rename("Damaged", "Other").code() == scode::corrupt_data);
    // Removing the profile is how the store is repaired.
    REQUIRE(f.store.remove("Damaged"));
    CHECK(f.store.check().empty());
}

TEST_CASE("a damaged line in profiles.ini fails names, keeps healthy profiles loadable and stops every write") {
    damage_fixture f;
    const std::string index = f.dir / "profiles.ini";
    const std::string text = slurp(index);
    const std::size_t line = line_of(text, "=Healthy") + 1;
    const std::string healthy_line = text.substr(text.rfind('\n', text.find("=Healthy")) + 1,
                                                 text.find('\n', text.find("=Healthy")) - text.rfind('\n', text.find("=Healthy")) - 1);
    spit(index, replace_line(text, "=Healthy", healthy_line + "\nno equals sign here"));
    auto n = f.store.names();
    REQUIRE_FALSE(n);
    CHECK(n.code() == scode::corrupt_data);
    CHECK(n.info().message.find(index) != std::string::npos);
    CHECK(n.info().message.find("line " + std::to_string(line)) != std::string::npos);
    CHECK(f.store.default_profile().code() == scode::corrupt_data);
    // The healthy profile (and the damaged-index one, whose lines are fine) still load.
    auto d = f.store.load("Damaged");
    REQUIRE(d);
    CHECK(*d == f.damaged);
    f.expect_corrupt(f.store.load("Unknown"), index, line);  // maybe it was on the bad line
    f.expect_checked(index, line);
    // Writes would rewrite profiles.ini and drop the bad line: refused.
    CHECK(f.store.create(named("New")).code() == scode::corrupt_data);
    CHECK(f.store.set_default(std::nullopt).code() == scode::corrupt_data);
    CHECK(f.store.remove("Healthy").code() == scode::corrupt_data);
    CHECK(slurp(index).find("no equals sign here") != std::string::npos);
}

TEST_CASE("profiles.ini cut short is corrupt_data") {
    damage_fixture f;
    const std::string index = f.dir / "profiles.ini";
    const std::string text = slurp(index);
    spit(index, text.substr(0, text.find("=Healthy")));
    CHECK(f.store.names().code() == scode::corrupt_data);
    CHECK(f.store.load("Healthy").code() == scode::corrupt_data);
    CHECK(f.store.load("Damaged"));
}

TEST_CASE("a profile file that holds another profile's name is corrupt_data") {
    damage_fixture f;
    const std::string text = slurp(f.path);
    spit(f.path, replace_line(text, "PR_PROFILE_NAME=Damaged", "PR_PROFILE_NAME=Somebody else"));
    auto r = f.store.load("Damaged");
    f.expect_corrupt(r, f.path, 0);
    CHECK(r.info().message.find("Somebody else") != std::string::npos);
}

TEST_CASE("every problem of a file is reported by check, and load counts the ones it does not name") {
    damage_fixture f;
    std::string text = slurp(f.path);
    const std::size_t first = line_of(text, "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER");
    const std::size_t second = line_of(text, "PR_RESOURCE_TYPE=MAPI_HOOK_PROVIDER");
    text = replace_line(text, "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER", "PR_RESOURCE_TYPE=bad one");
    text = replace_line(text, "PR_RESOURCE_TYPE=MAPI_HOOK_PROVIDER", "PR_RESOURCE_TYPE=bad two");
    spit(f.path, text);
    auto r = f.store.load("Damaged");
    f.expect_corrupt(r, f.path, first);
    CHECK(r.info().message.find("1 more problem") != std::string::npos);
    f.expect_checked(f.path, first);
    f.expect_checked(f.path, second);
}

TEST_CASE("secure property values never appear in the messages about a damaged line") {
    damage_fixture f;
    const std::string text = slurp(f.path);
    const std::size_t line = line_of(text, "67F10102=");
    spit(f.path, replace_line(text, "67F10102=", "67F10102=hunter2 is not hex"));
    auto r = f.store.load("Damaged");
    f.expect_corrupt(r, f.path, line);
    CHECK(r.info().message.find("hunter2") == std::string::npos);
    CHECK(all_messages(f.store.check()).find("hunter2") == std::string::npos);
}

TEST_CASE("a change is never applied to a damaged profile: update fails before calling it") {
    damage_fixture f;
    const std::string text = replace_line(slurp(f.path), "PR_SERVICE_NAME=MXX", "PR_SERVICE_NAME");
    spit(f.path, text);
    bool called = false;
    auto r = f.store.update("Damaged", [&](profile&) -> result<void> {
        called = true;
        return {};
    });
    CHECK(r.code() == scode::corrupt_data);
    CHECK_FALSE(called);
    CHECK(slurp(f.path) == text);
}

TEST_CASE("check warns about leftover profile and temporary files, and the next write removes temporaries") {
    temp_dir dir;
    file_profile_store store(dir.path());
    REQUIRE(store.create(named("Work")));
    spit(dir / "0badf00d.ini", "[Profile]\n");
    spit(dir / ".tmp-1-1-profiles.ini", "[General]\n");
    const auto ds = store.check();
    CAPTURE(all_messages(ds));
    REQUIRE(ds.size() == 2);
    CHECK_FALSE(has_error(ds));
    CHECK(all_messages(ds).find("rm " + (dir / "0badf00d.ini")) != std::string::npos);
    CHECK(all_messages(ds).find(".tmp-1-1-profiles.ini") != std::string::npos);
    CHECK(store.names().value() == std::vector<std::string>{"Work"});  // leftovers do not disturb reads
    REQUIRE(store.set_default("Work"));
    CHECK_FALSE(std::filesystem::exists(dir / ".tmp-1-1-profiles.ini"));
    CHECK(std::filesystem::exists(dir / "0badf00d.ini"));  // maybe somebody's data: only reported
}

// ------------------------------------------------------------------------------------------
// Concurrency

TEST_CASE("two store objects updating from two threads lose nothing") {
    temp_dir dir;
    REQUIRE(file_profile_store(dir.path()).create(named("Shared")));
    constexpr int per_thread = 60;
    std::atomic<int> failures{0};
    auto work = [&](int who) {
        file_profile_store store(dir.path());
        for (int i = 0; i < per_thread; ++i) {
            auto r = store.update("Shared", [&](profile& p) -> result<void> {
                return p.sections[fixed_uid(static_cast<std::uint8_t>(who))].set(
                    prop_tag(static_cast<std::uint16_t>(0x6000 + i), prop_type::i4), std::int32_t{i});
            });
            if (!r) ++failures;
        }
    };
    std::thread a(work, 1), b(work, 2);
    a.join();
    b.join();
    CHECK(failures.load() == 0);
    const profile p = file_profile_store(dir.path()).load("Shared").value();
    CHECK(p.section(fixed_uid(1))->size() == std::size_t{per_thread});
    CHECK(p.section(fixed_uid(2))->size() == std::size_t{per_thread});
}

TEST_CASE("two processes doing 200 updates each on one profile lose none of the 400") {
    temp_dir dir;
    REQUIRE(file_profile_store(dir.path()).create(named("Shared")));
    constexpr int per_process = 200;
    int gate[2];
    REQUIRE(::pipe(gate) == 0);
    auto worker = [&](int who) {
        return [&, who]() -> int {
            ::close(gate[1]);
            char c;
            while (::read(gate[0], &c, 1) < 0 && errno == EINTR) {
            }  // both start together when the parent closes the pipe
            file_profile_store store(dir.path());
            for (int i = 0; i < per_process; ++i) {
                auto r = store.update("Shared", [&](profile& p) -> result<void> {
                    message_service s;
                    s.name = "P" + std::to_string(who) + "-" + std::to_string(i);
                    s.service_uid = uid::generate();
                    p.services.push_back(s);
                    return p.sections[uids::profile_instance].set(
                        prop_tag(static_cast<std::uint16_t>(0x6000 + who * 0x400 + i), prop_type::i4), std::int32_t{i});
                });
                if (!r) return 2;
            }
            return 0;
        };
    };
    const pid_t a = spawn(worker(0));
    const pid_t b = spawn(worker(1));
    ::close(gate[0]);
    ::close(gate[1]);
    CHECK(wait_exit(a) == 0);
    CHECK(wait_exit(b) == 0);

    const profile p = file_profile_store(dir.path()).load("Shared").value();
    REQUIRE(p.section(uids::profile_instance) != nullptr);
    CHECK(p.section(uids::profile_instance)->size() == std::size_t{2 * per_process});
    REQUIRE(p.services.size() == std::size_t{2 * per_process});
    // Each process's services are there in the order it added them.
    for (int who = 0; who < 2; ++who) {
        int next = 0;
        for (const auto& s : p.services) {
            if (s.name.rfind("P" + std::to_string(who) + "-", 0) == 0) {
                CHECK(s.name == "P" + std::to_string(who) + "-" + std::to_string(next));
                ++next;
            }
        }
        CHECK(next == per_process);
    }
    CHECK(lock_is_free(dir));
    CHECK(file_profile_store(dir.path()).check().empty());
}

TEST_CASE("readers in another process only ever see whole states while a writer moves profiles between files") {
    temp_dir dir;
    const prop_tag a(0x6601, prop_type::i4), b(0x6602, prop_type::i4);
    {
        profile p = named("Moving");
        p.sections[fixed_uid(70)] = property_bag{prop_value(a, std::int32_t{0}), prop_value(b, std::int32_t{0})};
        REQUIRE(file_profile_store(dir.path()).create(p));
    }
    constexpr int updates = 60;
    // Every update toggles the default mark, so each one writes a new profile file, commits
    // profiles.ini and removes the old file: the path where a lock-free reader can find the
    // file it was pointed at gone.
    const pid_t writer = spawn([&]() -> int {
        file_profile_store store(dir.path());
        for (int i = 1; i <= updates; ++i) {
            auto r = store.update("Moving", [&](profile& p) -> result<void> {
                auto& bag = p.sections[fixed_uid(70)];
                if (auto s = bag.set(a, std::int32_t{i}); !s) return s;
                p.is_default = !p.is_default;
                return bag.set(b, std::int32_t{i});
            });
            if (!r) return 2;
        }
        return 0;
    });
    file_profile_store store(dir.path());
    int reads = 0, bad = 0;
    std::int32_t last = 0;
    std::string first_failure;
    for (;;) {
        int status = 0;
        const bool finished = ::waitpid(writer, &status, WNOHANG) == writer;
        auto p = store.load("Moving");
        ++reads;
        if (!p) {
            if (first_failure.empty()) first_failure = p.info().message;
            ++bad;
        } else {
            const property_bag* bag = p->section(fixed_uid(70));
            const std::int32_t seen = bag ? bag->get_i4(a).value_or(-1) : -1;
            if (!bag || seen != bag->get_i4(b) || seen < last || p->is_default != (seen % 2 == 1)) ++bad;
            last = std::max(last, seen);
        }
        if (finished) {
            CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
            break;
        }
    }
    CAPTURE(first_failure);
    CHECK(bad == 0);
    CHECK(reads > 1);
    CHECK(last == updates);
    CHECK(store.check().empty());
}

TEST_CASE("a writer killed with SIGKILL at random moments always leaves an old or a new consistent state") {
    temp_dir dir;
    const prop_tag counter_a(0x6601, prop_type::i4), counter_b(0x6602, prop_type::i4), text(0x6603, prop_type::string8);
    {
        file_profile_store store(dir.path());
        profile p = rich_profile("Crash");
        p.services.resize(1);  // the invariant: services.size() == counter % 3 + 1
        REQUIRE(p.sections[fixed_uid(70)].set(counter_a, std::int32_t{0}));
        REQUIRE(p.sections[fixed_uid(70)].set(counter_b, std::int32_t{0}));
        REQUIRE(p.sections[fixed_uid(70)].set(text, "state 0"));
        REQUIRE(store.create(p));
        REQUIRE(store.create(named("Bystander")));
    }
    // Each update writes the invariant a == b, text == "state <a>"; every fifth also moves the
    // default mark (the path that writes a new profile file and commits through profiles.ini),
    // and the number of services follows a % 3.
    // The writer reports each finished update with one byte on `done[1]`.
    int done[2] = {-1, -1};
    auto writer = [&]() -> int {
        ::close(done[0]);
        file_profile_store store(dir.path());
        for (;;) {
            auto r = store.update("Crash", [&](profile& p) -> result<void> {
                auto& bag = p.sections[fixed_uid(70)];
                const std::int32_t next = *bag.get_i4(counter_a) + 1;
                if (auto s = bag.set(counter_a, next); !s) return s;
                if (auto s = bag.set(text, "state " + std::to_string(next)); !s) return s;
                p.services.resize(static_cast<std::size_t>(next % 3) + 1);
                if (next % 5 == 0) p.is_default = !p.is_default;
                return bag.set(counter_b, next);
            });
            if (!r) return 2;
            (void)!::write(done[1], "+", 1);
        }
    };

    std::mt19937 rng(12345);
    std::uniform_real_distribution<double> log_delay(0.0, std::log(8000.0));  // 1 us .. 8 ms, log-uniform
    constexpr int kills = 300;
    std::set<std::int32_t> states;
    std::int32_t last = 0;
    int advanced = 0, temporaries_left = 0, problems = 0;
    std::set<std::string> orphans;
    const auto started = std::chrono::steady_clock::now();
    int waited_kills = 0;
    for (int k = 0; k < kills; ++k) {
        REQUIRE(::pipe(done) == 0);
        const pid_t child = spawn(writer);
        ::close(done[1]);
        // Every other kill first waits for the writer to finish one update, so that it lands at
        // a random point of a later one (an update takes about two fsyncs); the others land
        // anywhere from start-up on.
        const bool wait_for_one = k % 2 == 1;
        if (wait_for_one) {
            char c;
            ssize_t n;
            while ((n = ::read(done[0], &c, 1)) < 0 && errno == EINTR) {
            }
            REQUIRE(n == 1);
            ++waited_kills;
        }
        const auto delay = std::chrono::microseconds(static_cast<long>(std::exp(log_delay(rng))));
        std::this_thread::sleep_for(delay);
        REQUIRE(::kill(child, SIGKILL) == 0);
        REQUIRE(wait_exit(child) == 128 + SIGKILL);  // it was still writing, never failed
        ::close(done[0]);

        // No stale lock: the kernel released the dead writer's lock.
        REQUIRE(lock_is_free(dir));
        file_profile_store store(dir.path());
        auto p = store.load("Crash");
        REQUIRE_MESSAGE(p, p.info().message);
        const property_bag* bag = p->section(fixed_uid(70));
        REQUIRE(bag != nullptr);
        const std::int32_t a = bag->get_i4(counter_a).value_or(-1);
        REQUIRE(a == bag->get_i4(counter_b).value_or(-2));
        REQUIRE(bag->get_string(text).value_or("") == "state " + std::to_string(a));
        REQUIRE(p->services.size() == static_cast<std::size_t>(a % 3) + 1);
        REQUIRE(a >= last);  // never back to an older state
        if (wait_for_one) REQUIRE(a > last);  // a finished update is never lost
        REQUIRE(p->is_default == ((a / 5) % 2 == 1));
        REQUIRE(store.names().value() == std::vector<std::string>{"Crash", "Bystander"});
        if (a > last) ++advanced;
        last = a;
        states.insert(a);
        bool temporary_left = false;
        for (const auto& d : store.check()) {
            if (d.level == diagnostic::severity::error) ++problems;
            if (d.message.find("temporary file") != std::string::npos) temporary_left = true;
            if (d.message.find("not named in profiles.ini") != std::string::npos) orphans.insert(d.file);
        }
        if (temporary_left) ++temporaries_left;
        REQUIRE(problems == 0);
    }
    // The next writer is not blocked and the store is whole.
    file_profile_store store(dir.path());
    REQUIRE(store.update("Crash", [](profile&) -> result<void> { return {}; }));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    MESSAGE("kill test: ", kills, " kills (", waited_kills, " after a finished update), ", states.size(), " distinct states seen, final counter ", last,
            ", state advanced after ", advanced, " kills, a temporary file left behind after ", temporaries_left,
            " kills, ", orphans.size(), " leftover profile files (kills between writing a new profile file and committing "
            "profiles.ini or removing the old file), ", seconds, " s");
    CHECK(states.size() > 1);  // the writer did get work done between kills
    CHECK(problems == 0);
}

} // TEST_SUITE

} // namespace file_profile_store_tests
