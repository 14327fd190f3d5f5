// SPDX-License-Identifier: MIT
// libFuzzer target: the two file formats of `file_profile_store`, through their in-memory
// readers in profile/detail/profile_file_format.hpp. Every input is read both as a profile file
// (`parse_profile_file`) and as profiles.ini (`parse_profile_index`).
//
// Checked:
// - a profile file read without problems writes back (`format_profile_file`) to text that reads
//   without problems as the same profile (docs/profiles-store.md: every profile value
//   round-trips exactly, doubles bit for bit), and writing that again gives the same text;
// - profiles.ini read without problems writes back (`format_profile_index`) to text that reads
//   without problems as the same entries and default (the store rewrites profiles.ini on every
//   change, so this is what keeps a change from losing a profile);
// - problems are sorted by line and name the file; every kept index entry is well-formed
//   (a profile file name, a valid profile name) and the default names a kept entry.
// Damaged input is still written and read back, to exercise the writers on partial results.
//
// Few mutated files read without problems, so the same bytes also drive a generator
// (FuzzedDataProvider) that builds an arbitrary profile (any bytes in its strings, any bits in
// its flags and resource types, any uids, property bags of every stored type with any values)
// and an arbitrary valid profiles.ini index; both must survive write + read exactly.
#include "fuzz_support.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <mapixx/profile/detail/profile_file_format.hpp>
#include <mapixx/profile/profile.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

using namespace mapixx;
using mapixx_fuzz::same_bag;

namespace {

bool same_profile(const profile& a, const profile& b) {
    if (a.name != b.name || a.is_default != b.is_default || a.search_key != b.search_key ||
        a.services != b.services || a.transport_order != b.transport_order || a.sections.size() != b.sections.size()) {
        return false;
    }
    auto i = a.sections.begin();
    auto j = b.sections.begin();
    for (; i != a.sections.end(); ++i, ++j) {
        if (i->first != j->first || !same_bag(i->second, j->second)) return false;
    }
    return true;
}

void check_problems(const std::vector<diagnostic>& problems, const std::string& path) {
    std::size_t line = 0;
    for (const diagnostic& d : problems) {
        MAPIXX_FUZZ_CHECK(d.file == path);
        MAPIXX_FUZZ_CHECK(d.line >= line);
        MAPIXX_FUZZ_CHECK(!d.message.empty());
        line = d.line;
    }
}

void profile_file(std::string_view bytes) {
    const std::string path = "5d630a00.ini";
    std::vector<diagnostic> problems;
    const profile p = detail::parse_profile_file(bytes, path, problems);
    check_problems(problems, path);

    const std::string text = detail::format_profile_file(p);
    std::vector<diagnostic> again;
    const profile q = detail::parse_profile_file(text, "written.ini", again);
    if (problems.empty()) {
        MAPIXX_FUZZ_CHECK(again.empty());
        MAPIXX_FUZZ_CHECK(same_profile(p, q));
        MAPIXX_FUZZ_CHECK(detail::format_profile_file(q) == text);
    }
}

void profile_index(std::string_view bytes) {
    const std::string path = "profiles.ini";
    const detail::profile_index index = detail::parse_profile_index(bytes, path);
    check_problems(index.problems, path);
    for (const detail::profile_index_entry& e : index.entries) {
        MAPIXX_FUZZ_CHECK(detail::is_profile_file_name(e.file));
        MAPIXX_FUZZ_CHECK(check_profile_name(e.name).has_value());
        MAPIXX_FUZZ_CHECK(index.find(e.name) == &e);
    }
    if (index.default_name) {
        const detail::profile_index_entry* e = index.find(*index.default_name);
        MAPIXX_FUZZ_CHECK(e != nullptr && e->name == *index.default_name);
        MAPIXX_FUZZ_CHECK(index.is_default(e->name));
    }

    const std::string text = detail::format_profile_index(index);
    const detail::profile_index back = detail::parse_profile_index(text, "written.ini");
    if (index.problems.empty()) {
        MAPIXX_FUZZ_CHECK(back.problems.empty());
        MAPIXX_FUZZ_CHECK(back.entries.size() == index.entries.size());
        for (std::size_t i = 0; i < back.entries.size(); ++i) {
            MAPIXX_FUZZ_CHECK(back.entries[i].file == index.entries[i].file);
            MAPIXX_FUZZ_CHECK(back.entries[i].name == index.entries[i].name);
        }
        MAPIXX_FUZZ_CHECK(back.default_name == index.default_name);
        MAPIXX_FUZZ_CHECK(detail::format_profile_index(back) == text);
    }
}

// ---- generated profiles -------------------------------------------------------------------------

constexpr std::array stored_types{
    prop_type::null,       prop_type::i2,        prop_type::i4,         prop_type::r4,       prop_type::r8,
    prop_type::currency,   prop_type::apptime,   prop_type::error,      prop_type::boolean,  prop_type::object,
    prop_type::i8,         prop_type::string8,   prop_type::unicode,    prop_type::systime,  prop_type::clsid,
    prop_type::binary,     prop_type::mv_i2,     prop_type::mv_i4,      prop_type::mv_i8,    prop_type::mv_string8,
    prop_type::mv_unicode, prop_type::mv_systime, prop_type::mv_clsid,  prop_type::mv_binary,
};

uid any_uid(FuzzedDataProvider& in) {
    uid u;
    const auto b = in.ConsumeBytes<std::uint8_t>(16);
    std::copy(b.begin(), b.end(), u.bytes.begin());
    return u;
}
std::string any_text(FuzzedDataProvider& in) { return in.ConsumeRandomLengthString(48); }
binary any_binary(FuzzedDataProvider& in) { return in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange(0, 24)); }
double any_double(FuzzedDataProvider& in) {
    const auto bits = in.ConsumeIntegral<std::uint64_t>();
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}
template <class F>
auto list_of(FuzzedDataProvider& in, F&& one) {
    std::vector<decltype(one())> out(in.ConsumeIntegralInRange(0, 4));
    for (auto& x : out) x = one();
    return out;
}

prop_data any_data(FuzzedDataProvider& in, prop_type t) {
    switch (t) {
    case prop_type::i2: return in.ConsumeIntegral<std::int16_t>();
    case prop_type::i4: return in.ConsumeIntegral<std::int32_t>();
    case prop_type::r4:
    case prop_type::r8:
    case prop_type::apptime: return any_double(in);
    case prop_type::error: return static_cast<scode>(in.ConsumeIntegral<std::uint32_t>());
    case prop_type::boolean: return in.ConsumeBool();
    case prop_type::i8:
    case prop_type::currency: return in.ConsumeIntegral<std::int64_t>();
    case prop_type::string8:
    case prop_type::unicode: return any_text(in);
    case prop_type::systime: return filetime{in.ConsumeIntegral<std::uint64_t>()};
    case prop_type::clsid: return any_uid(in);
    case prop_type::binary: return any_binary(in);
    case prop_type::mv_i2: return list_of(in, [&] { return in.ConsumeIntegral<std::int16_t>(); });
    case prop_type::mv_i4: return list_of(in, [&] { return in.ConsumeIntegral<std::int32_t>(); });
    case prop_type::mv_i8: return list_of(in, [&] { return in.ConsumeIntegral<std::int64_t>(); });
    case prop_type::mv_string8:
    case prop_type::mv_unicode: return list_of(in, [&] { return any_text(in); });
    case prop_type::mv_systime: return list_of(in, [&] { return filetime{in.ConsumeIntegral<std::uint64_t>()}; });
    case prop_type::mv_clsid: return list_of(in, [&] { return any_uid(in); });
    case prop_type::mv_binary: return list_of(in, [&] { return any_binary(in); });
    default: return std::monostate{};
    }
}

profile any_profile(FuzzedDataProvider& in) {
    profile p;
    p.name = any_text(in);
    p.search_key = any_uid(in);
    p.services.resize(in.ConsumeIntegralInRange(0, 3));
    for (message_service& s : p.services) {
        s.name = any_text(in);
        s.display_name = any_text(in);
        s.dll_name = any_text(in);
        s.entry_name = any_text(in);
        s.flags = service_flags::from_bits_unchecked(in.ConsumeIntegral<std::uint32_t>());
        s.service_uid = any_uid(in);
        s.extra_sections = list_of(in, [&] { return any_uid(in); });
        s.providers.resize(in.ConsumeIntegralInRange(0, 3));
        for (provider_entry& e : s.providers) {
            e.section_name = any_text(in);
            e.display_name = any_text(in);
            e.provider_display = any_text(in);
            e.dll_name = any_text(in);
            e.type = static_cast<resource_type>(in.ConsumeIntegral<std::uint32_t>());
            e.flags = resource_flags::from_bits_unchecked(in.ConsumeIntegral<std::uint32_t>());
            e.provider_uid = any_uid(in);
        }
    }
    p.transport_order = list_of(in, [&] { return any_uid(in); });
    for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
        property_bag& bag = p.sections[any_uid(in)];
        for (int k = in.ConsumeIntegralInRange(0, 6); k > 0; --k) {
            const prop_type t = in.PickValueInArray(stored_types);
            const prop_tag tag(in.ConsumeIntegral<std::uint16_t>(), t);
            MAPIXX_FUZZ_CHECK(bag.set(prop_value(tag, any_data(in, t))).has_value());
        }
    }
    return p;
}

void generated_profile(FuzzedDataProvider& in) {
    const profile p = any_profile(in);
    const std::string text = detail::format_profile_file(p);
    std::vector<diagnostic> problems;
    const profile q = detail::parse_profile_file(text, "generated.ini", problems);
    MAPIXX_FUZZ_CHECK(problems.empty());
    MAPIXX_FUZZ_CHECK(same_profile(p, q));
}

void generated_index(FuzzedDataProvider& in) {
    detail::profile_index index;
    for (int n = in.ConsumeIntegralInRange(0, 4); n > 0; --n) {
        char file[13];
        std::snprintf(file, sizeof file, "%08x.ini", in.ConsumeIntegral<std::uint32_t>());
        std::string name = any_text(in);
        if (!check_profile_name(name) || index.find(name)) continue;
        bool clash = false;
        for (const auto& e : index.entries) clash = clash || e.file == file;
        if (clash) continue;
        index.entries.push_back({file, name, 0});
    }
    if (!index.entries.empty() && in.ConsumeBool()) {
        index.default_name = index.entries[in.ConsumeIntegralInRange<std::size_t>(0, index.entries.size() - 1)].name;
    }
    const detail::profile_index back = detail::parse_profile_index(detail::format_profile_index(index), "profiles.ini");
    MAPIXX_FUZZ_CHECK(back.problems.empty());
    MAPIXX_FUZZ_CHECK(back.entries.size() == index.entries.size());
    for (std::size_t i = 0; i < back.entries.size(); ++i) {
        MAPIXX_FUZZ_CHECK(back.entries[i].file == index.entries[i].file);
        MAPIXX_FUZZ_CHECK(back.entries[i].name == index.entries[i].name);
    }
    MAPIXX_FUZZ_CHECK(back.default_name == index.default_name);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes = mapixx_fuzz::as_text(data, size);
    profile_file(bytes);
    profile_index(bytes);
    FuzzedDataProvider in(data, size);
    generated_profile(in);
    generated_index(in);
    return 0;
}
