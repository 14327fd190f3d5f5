// SPDX-License-Identifier: MIT
// Secure properties (ids 0x67F0-0x67FF) in every reader of untrusted text: a bad value of one
// is reported without its text, in the message of a failed operation and in every diagnostic
// (issue 11). The values themselves are wiped when released; tests/alloc_fault checks that.
#include <mapixx/profile/file_profile_store.hpp>
#include <mapixx/profile/prf_import.hpp>
#include <mapixx/profile/prop_text.hpp>
#include <mapixx/profile/service_catalog.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace secure_props_tests {

using namespace mapixx;

namespace {

constexpr const char* secret = "hunter2-SecretValue";

std::string messages(const std::vector<diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) out += d.to_string() + "\n";
    return out;
}

class temp_dir {
public:
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mapixx-secure-XXXXXX").string();
        const char* made = ::mkdtemp(pattern.data());
        REQUIRE(made != nullptr);
        path_ = made;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    [[nodiscard]] std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void spit(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

profile with_secret(const std::string& name, prop_value value) {
    profile p;
    p.name = name;
    p.search_key = uid::generate();
    message_service s;
    s.name = "SVC";
    s.display_name = "Service";
    s.dll_name = "SVCDLL";
    s.entry_name = "ServiceEntry";
    s.service_uid = uid::generate();
    (void)p.sections[s.service_uid].set(pr::service_name_a, s.name);
    REQUIRE(p.sections[s.service_uid].set(std::move(value)));
    p.services.push_back(std::move(s));
    return p;
}

// The one profile file of a store holding one profile.
std::string only_profile_file(const std::string& dir) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name != "profiles.ini" && name.size() == 12 && name.ends_with(".ini")) return e.path().string();
    }
    FAIL("no profile file in " << dir);
    return {};
}

} // namespace

TEST_SUITE("profile: secure properties") {

TEST_CASE("a secure value under a type it cannot have: the profile store names the line, never the value") {
    temp_dir dir;
    const std::string where = dir / "store";
    file_profile_store store(where);
    const prop_tag tag{0x67F0, prop_type::string8};
    REQUIRE(store.create(with_secret("Typed", prop_value(tag, std::string(secret)))));
    const std::string file = only_profile_file(where);
    std::string text = slurp(file);
    const auto at = text.find("67F0001E=");
    REQUIRE(at != std::string::npos);
    text.replace(at, 9, "67F00003=");  // now a PT_LONG whose text is the password
    spit(file, text);

    auto r = store.load("Typed");
    CHECK(r.code() == scode::corrupt_data);
    CAPTURE(r.info().message);
    CHECK(r.info().message.find(secret) == std::string::npos);
    CHECK(r.info().message.find("hunter2") == std::string::npos);
    const auto ds = store.check();
    CHECK_FALSE(ds.empty());
    CHECK(messages(ds).find("hunter2") == std::string::npos);
    // A write refuses a damaged profile, and says so without the value either.
    auto u = store.update("Typed", [](profile&) -> result<void> { return {}; });
    CHECK_FALSE(u);
    CHECK(u.info().message.find("hunter2") == std::string::npos);
}

TEST_CASE("secure values of every stored kind survive the file store, and the files stay private") {
    temp_dir dir;
    const std::string where = dir / "store";
    file_profile_store store(where);
    const prop_tag s{0x67F0, prop_type::unicode};
    const prop_tag b{0x67F1, prop_type::binary};
    const prop_tag l{0x67F2, prop_type::mv_string8};
    profile p = with_secret("Kinds", prop_value(s, std::string(secret) + " \"quoted\" and ;semicolon"));
    const uid sid = p.services[0].service_uid;
    REQUIRE(p.sections[sid].set(b, binary{0x00, 0xFF, 0x10, 0x20}));
    REQUIRE(p.sections[sid].set(l, std::vector<std::string>{secret, "two, with a comma"}));
    // A value larger than the read buffer of a small file, to read through more than one block.
    REQUIRE(p.sections[sid].set(prop_tag{0x67F3, prop_type::string8}, std::string(100000, 'x')));
    REQUIRE(store.create(p));
    auto back = store.load("Kinds");
    REQUIRE(back);
    CHECK(back->sections.at(sid) == p.sections.at(sid));
    struct stat st {};
    REQUIRE(::stat(only_profile_file(where).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(where.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("a profile store whose profile file others can read is reported with the chmod that fixes it") {
    temp_dir dir;
    const std::string where = dir / "store";
    file_profile_store store(where);
    const prop_tag tag{0x67F0, prop_type::string8};
    REQUIRE(store.create(with_secret("Open", prop_value(tag, std::string(secret)))));
    CHECK(store.check().empty());
    const std::string file = only_profile_file(where);
    REQUIRE(::chmod(file.c_str(), 0604) == 0);  // others only
    const auto ds = store.check();
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].level == diagnostic::severity::warning);
    CHECK(ds[0].file == file);
    CHECK(ds[0].message.find("chmod 600 " + file) != std::string::npos);
    CHECK(ds[0].message.find("hunter2") == std::string::npos);
    // The next write of the profile makes the file private again.
    REQUIRE(store.update("Open", [](profile&) -> result<void> { return {}; }));
    CHECK(store.check().empty());
}

TEST_CASE("MAPISVC.INF: a bad secure value is reported without its text") {
    const std::string text = std::string("[Services]\nSVC=Service\n[SVC]\nProviders=Prov\nPR_SERVICE_DLL_NAME=svc.dll\n"
                                         "67F00003=") +
                             secret + "\n67F10102=" + secret + "\n[Prov]\nPR_PROVIDER_DLL_NAME=prov.dll\n"
                                                              "PR_RESOURCE_TYPE=0x21\n";
    const service_catalog c = service_catalog::parse(text, "secure.inf");
    const std::string all = messages(c.diagnostics());
    CAPTURE(all);
    CHECK_FALSE(c.diagnostics().empty());
    CHECK(all.find("hunter2") == std::string::npos);
}

TEST_CASE("PRF: a secure value that does not read as its mapped type is reported without its text") {
    const std::string text = std::string("[General]\nProfileName=Secure\n[Service List]\nService1=Secure Service\n"
                                         "[Service1]\nPin=") +
                             secret + "\nFlag=" + secret +
                             "\n[Secure Service]\nServiceName=MSEMS\nPin=PT_LONG,0x67F0\nFlag=PT_BOOLEAN,0x67F1\n";
    const prf_file f = parse_prf(text, "secure.prf");
    const std::string all = messages(f.diagnostics);
    CAPTURE(all);
    CHECK(f.diagnostics.size() >= 2);
    CHECK(all.find("hunter2") == std::string::npos);
}

TEST_CASE("prop_text: every stored type of a secure tag withholds a value it cannot read") {
    for (prop_type t : {prop_type::i2, prop_type::i4, prop_type::r8, prop_type::boolean, prop_type::i8,
                        prop_type::systime, prop_type::clsid, prop_type::binary, prop_type::mv_i4,
                        prop_type::mv_binary, prop_type::mv_clsid}) {
        const prop_tag tag{0x67F4, t};
        CAPTURE(to_string(tag));
        auto r = parse_prop_value(tag, std::string(secret) + ", " + secret);
        REQUIRE_FALSE(r);
        CHECK(r.info().message.find("hunter2") == std::string::npos);
    }
}

}

} // namespace secure_props_tests
