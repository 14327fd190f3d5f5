// SPDX-License-Identifier: MIT
/// \file
/// Recipient rows and attachments of the spooler's IMessage objects, for the transport adapter
/// (`transport_adapter.hpp`): reading the recipient and attachment tables into `property_bag`
/// rows, and writing rows back with ModifyRecipients, StatusRecips, CreateAttach and SetProps.
/// Compiled only for Windows (`_WIN32`).
#ifndef MAPIXX_WIN32_DETAIL_XP_MESSAGE_HPP_INCLUDED
#define MAPIXX_WIN32_DETAIL_XP_MESSAGE_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/prop.hpp>
#include <mapixx/win32/detail/xp_props.hpp>
#include <mapixx/win32/sdk.hpp>

#include <mapispi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <cwchar>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace mapixx::inline v0::win32 {

/// IID_IStream, {0000000C-0000-0000-C000-000000000046} (a constant, so no uuid library is needed).
inline constexpr IID iid_stream = {0x0000000C, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};

namespace detail {

/// The three MAPI allocators of the spooler (IMAPISupport::GetMemAllocRoutines). Memory MAPI
/// takes over (the ADRLIST of StatusRecips) must come from them.
struct mapi_allocators {
    LPALLOCATEBUFFER allocate = nullptr;  ///< MAPIAllocateBuffer
    LPALLOCATEMORE more = nullptr;        ///< MAPIAllocateMore
    LPFREEBUFFER free = nullptr;          ///< MAPIFreeBuffer

    /// True when all three are known.
    [[nodiscard]] bool usable() const noexcept { return allocate != nullptr && more != nullptr && free != nullptr; }
};

/// An SRowSet from IMAPITable::QueryRows, freed row by row and then itself (what FreeProws
/// does; a provider DLL does not link mapi32 for it).
inline void free_row_set(LPSRowSet rows, LPFREEBUFFER free_buffer) noexcept
{
    if (rows == nullptr || free_buffer == nullptr) {
        return;
    }
    for (ULONG i = 0; i != rows->cRows; ++i) {
        if (rows->aRow[i].lpProps != nullptr) {
            free_buffer(rows->aRow[i].lpProps);
        }
    }
    free_buffer(rows);
}

/// A copy of an SPropValue array without its PT_ERROR values (strings and binaries still point
/// into the array they came from).
inline std::vector<SPropValue> plain_values(const SPropValue* values, ULONG count)
{
    std::vector<SPropValue> out;
    out.reserve(count);
    for (ULONG i = 0; i != count; ++i) {
        if (PROP_TYPE(values[i].ulPropTag) != PT_ERROR) {
            out.push_back(values[i]);
        }
    }
    return out;
}

/// Every row of `table` (QueryRows in batches until none is left), as the table returned them:
/// the rows of each batch stay owned by `sets` until `release` frees them.
class table_rows {
public:
    /// Reads `table` from its current position. A failed QueryRows ends the reading: `status()`
    /// says why. Throws: `std::bad_alloc`.
    table_rows(IMAPITable* table, LPFREEBUFFER free_buffer) : free_{free_buffer}
    {
        for (;;) {
            LPSRowSet batch = nullptr;
            status_ = table->QueryRows(64, 0, &batch);
            if (FAILED(status_) || batch == nullptr) {
                break;
            }
            sets_.push_back(batch);
            if (batch->cRows == 0) {
                break;
            }
            for (ULONG i = 0; i != batch->cRows; ++i) {
                rows_.push_back(&batch->aRow[i]);
            }
        }
    }
    table_rows(const table_rows&) = delete;
    table_rows& operator=(const table_rows&) = delete;
    /// Frees the rows.
    ~table_rows() { release(); }

    /// Frees the rows now (they may not be used afterwards).
    void release() noexcept
    {
        for (LPSRowSet s : sets_) {
            free_row_set(s, free_);
        }
        sets_.clear();
        rows_.clear();
    }

    /// The number of rows read.
    [[nodiscard]] std::size_t size() const noexcept { return rows_.size(); }
    /// Row `i` as the table returned it.
    [[nodiscard]] const SRow& row(std::size_t i) const noexcept { return *rows_[i]; }
    /// The last QueryRows result (S_OK when the whole table was read).
    [[nodiscard]] HRESULT status() const noexcept { return status_; }

    /// Row `i` as a `property_bag` (the types `sprop_array` knows; PT_ERROR left out).
    [[nodiscard]] property_bag bag(std::size_t i) const
    {
        property_bag out;
        const SRow& r = *rows_[i];
        for (ULONG k = 0; k != r.cValues; ++k) {
            if (PROP_TYPE(r.lpProps[k].ulPropTag) != PT_ERROR) {
                add_sprop(out, r.lpProps[k]);
            }
        }
        return out;
    }

private:
    LPFREEBUFFER free_;
    HRESULT status_ = S_OK;
    std::vector<LPSRowSet> sets_;
    std::vector<const SRow*> rows_;
};

/// One property value deep-copied into MAPI memory linked to `parent` (AllocateMore), so that
/// freeing `parent` frees it all. Returns the SCODE of the first failed allocation.
inline SCODE copy_value_into(const SPropValue& from, SPropValue& to, LPVOID parent, const mapi_allocators& a)
{
    to = from;
    switch (PROP_TYPE(from.ulPropTag)) {
    case PT_STRING8:
        if (from.Value.lpszA != nullptr) {
            const std::size_t n = std::strlen(from.Value.lpszA) + 1;
            LPVOID p = nullptr;
            if (const SCODE sc = a.more(static_cast<ULONG>(n), parent, &p); FAILED(sc)) {
                return sc;
            }
            std::memcpy(p, from.Value.lpszA, n);
            to.Value.lpszA = static_cast<LPSTR>(p);
        }
        break;
    case PT_UNICODE:
        if (from.Value.lpszW != nullptr) {
            const std::size_t n = (std::wcslen(from.Value.lpszW) + 1) * sizeof(wchar_t);
            LPVOID p = nullptr;
            if (const SCODE sc = a.more(static_cast<ULONG>(n), parent, &p); FAILED(sc)) {
                return sc;
            }
            std::memcpy(p, from.Value.lpszW, n);
            to.Value.lpszW = static_cast<LPWSTR>(p);
        }
        break;
    case PT_BINARY:
        if (from.Value.bin.cb != 0 && from.Value.bin.lpb != nullptr) {
            LPVOID p = nullptr;
            if (const SCODE sc = a.more(from.Value.bin.cb, parent, &p); FAILED(sc)) {
                return sc;
            }
            std::memcpy(p, from.Value.bin.lpb, from.Value.bin.cb);
            to.Value.bin.lpb = static_cast<LPBYTE>(p);
        } else {
            to.Value.bin.cb = 0;
            to.Value.bin.lpb = nullptr;
        }
        break;
    default:
        break;  // the scalar types `sprop_array` makes carry no pointer
    }
    return S_OK;
}

/// An ADRLIST in MAPI memory: the list and each entry's value array are separate
/// MAPIAllocateBuffer blocks (as FreePadrlist expects), the data of each array linked to it.
/// Owned here until `release_ownership` (after StatusRecips succeeded, MAPI frees it).
class mapi_adrlist {
public:
    /// An empty list for `count` entries. `ok()` is false when the allocation failed.
    mapi_adrlist(std::size_t count, const mapi_allocators& a) : a_{a}
    {
        const std::size_t size = offsetof(ADRLIST, aEntries) + (count == 0 ? 1 : count) * sizeof(ADRENTRY);
        LPVOID p = nullptr;
        if (a_.usable() && SUCCEEDED(a_.allocate(static_cast<ULONG>(size), &p))) {
            std::memset(p, 0, size);
            list_ = static_cast<LPADRLIST>(p);
        }
    }
    mapi_adrlist(const mapi_adrlist&) = delete;
    mapi_adrlist& operator=(const mapi_adrlist&) = delete;
    /// Frees what is still owned.
    ~mapi_adrlist()
    {
        if (list_ == nullptr) {
            return;
        }
        for (ULONG i = 0; i != list_->cEntries; ++i) {
            if (list_->aEntries[i].rgPropVals != nullptr) {
                a_.free(list_->aEntries[i].rgPropVals);
            }
        }
        a_.free(list_);
    }

    /// True when the list exists.
    [[nodiscard]] bool ok() const noexcept { return list_ != nullptr; }
    /// The list (null when the allocation failed).
    [[nodiscard]] LPADRLIST get() const noexcept { return list_; }

    /// Appends an entry with a deep copy of `values`. False when out of memory.
    bool add(const SPropValue* values, ULONG count)
    {
        if (list_ == nullptr) {
            return false;
        }
        LPVOID p = nullptr;
        if (FAILED(a_.allocate(static_cast<ULONG>((count == 0 ? 1 : count) * sizeof(SPropValue)), &p))) {
            return false;
        }
        auto* out = static_cast<LPSPropValue>(p);
        ADRENTRY& e = list_->aEntries[list_->cEntries++];
        e.ulReserved1 = 0;
        e.cValues = count;
        e.rgPropVals = out;
        for (ULONG i = 0; i != count; ++i) {
            if (FAILED(copy_value_into(values[i], out[i], p, a_))) {
                return false;
            }
        }
        return true;
    }

    /// MAPI owns the list now: the destructor leaves it alone.
    void release_ownership() noexcept { list_ = nullptr; }

private:
    mapi_allocators a_;
    LPADRLIST list_ = nullptr;
};

/// `values` with `PR_RESPONSIBILITY` set to `responsible` (replaced or appended) and
/// `PR_ROWID` = `row_id` when the row has none; PT_ERROR values are left out.
inline std::vector<SPropValue> with_responsibility(const SPropValue* values, ULONG count, bool responsible,
                                                   LONG row_id)
{
    std::vector<SPropValue> out = plain_values(values, count);
    bool has_resp = false;
    bool has_rowid = false;
    for (SPropValue& v : out) {
        if (PROP_ID(v.ulPropTag) == PROP_ID(PR_RESPONSIBILITY)) {
            v.ulPropTag = PR_RESPONSIBILITY;
            v.Value.b = responsible ? 1 : 0;
            has_resp = true;
        } else if (v.ulPropTag == PR_ROWID) {
            has_rowid = true;
        }
    }
    if (!has_resp) {
        SPropValue r{};
        r.ulPropTag = PR_RESPONSIBILITY;
        r.Value.b = responsible ? 1 : 0;
        out.push_back(r);
    }
    if (!has_rowid) {
        SPropValue r{};
        r.ulPropTag = PR_ROWID;
        r.Value.l = row_id;
        out.push_back(r);
    }
    return out;
}

/// IMessage::ModifyRecipients(MODRECIP_MODIFY) for `rows` of `table` (indexes), each sent
/// whole (MODIFY replaces every property of a row) with PR_RESPONSIBILITY = `responsible`.
inline HRESULT set_responsibility(IMessage* message, const table_rows& table, const std::vector<std::size_t>& rows,
                                  bool responsible, const mapi_allocators& a)
{
    if (rows.empty()) {
        return S_OK;
    }
    mapi_adrlist list{rows.size(), a};
    if (!list.ok()) {
        return E_OUTOFMEMORY;
    }
    for (std::size_t k : rows) {
        const SRow& r = table.row(k);
        std::vector<SPropValue> values = with_responsibility(r.lpProps, r.cValues, responsible, static_cast<LONG>(k));
        if (!list.add(values.data(), static_cast<ULONG>(values.size()))) {
            return E_OUTOFMEMORY;
        }
    }
    return message->ModifyRecipients(MODRECIP_MODIFY, list.get());
}

/// MAPI_REASON_TRANSFER_FAILED (0), which MinGW's mapidefs.h does not define.
inline constexpr std::int32_t ndr_reason_transfer_failed = 0;

/// IMAPISupport::StatusRecips for `rows` (the transport's copies of the recipient rows, with
/// PR_REPORT_TEXT when it gave a reason): one entry per row, each row's values plus
/// PR_RESPONSIBILITY = TRUE, PR_NDR_REASON_CODE (MAPI_REASON_TRANSFER_FAILED) and
/// PR_NDR_DIAG_CODE (MAPI_DIAG_NO_DIAGNOSTIC) unless the row has them, and PR_REPORT_TIME (now).
/// The list is allocated with the spooler's allocators; MAPI frees it when the call succeeds,
/// this function when it fails. E_OUTOFMEMORY without usable allocators.
inline HRESULT status_recips(IMAPISupport* support, IMessage* message, const std::vector<property_bag>& rows,
                             const mapi_allocators& a)
{
    if (rows.empty()) {
        return S_OK;
    }
    mapi_adrlist list{rows.size(), a};
    if (!list.ok()) {
        return E_OUTOFMEMORY;
    }
    FILETIME now{};
    GetSystemTimeAsFileTime(&now);
    const filetime report_time{(static_cast<std::uint64_t>(now.dwHighDateTime) << 32) | now.dwLowDateTime};
    for (const property_bag& r : rows) {
        property_bag row = r;
        static_cast<void>(row.set(pr::responsibility, true));
        if (!row.contains(pr::ndr_reason_code)) {
            static_cast<void>(row.set(pr::ndr_reason_code, ndr_reason_transfer_failed));
        }
        if (!row.contains(pr::ndr_diag_code)) {
            static_cast<void>(row.set(pr::ndr_diag_code, static_cast<std::int32_t>(MAPI_DIAG_NO_DIAGNOSTIC)));
        }
        static_cast<void>(row.set(prop_tag{static_cast<std::uint32_t>(PR_REPORT_TIME)}, report_time));
        sprop_array values{row};
        if (!list.add(values.data(), values.size())) {
            return E_OUTOFMEMORY;
        }
    }
    const HRESULT hr = support->StatusRecips(message, list.get());
    if (SUCCEEDED(hr)) {
        list.release_ownership();
    }
    return hr;
}

/// The size above which an attachment's PR_ATTACH_DATA_BIN is written through an IStream
/// (OpenProperty) rather than SetProps, which stores are allowed to refuse for large values.
inline constexpr std::size_t attach_stream_threshold = 16 * 1024;

/// Reads the whole stream property `tag` of `object` (OpenProperty with IID_IStream).
inline HRESULT read_stream_property(IMAPIProp* object, ULONG tag, binary& out)
{
    LPUNKNOWN unknown = nullptr;
    HRESULT hr = object->OpenProperty(tag, &iid_stream, 0, 0, &unknown);
    if (FAILED(hr) || unknown == nullptr) {
        return FAILED(hr) ? hr : MAPI_E_NOT_FOUND;
    }
    auto* stream = static_cast<IStream*>(static_cast<void*>(unknown));
    out.clear();
    BYTE buffer[4096];
    for (;;) {
        ULONG got = 0;
        hr = stream->Read(buffer, sizeof buffer, &got);
        if (FAILED(hr)) {
            break;
        }
        out.insert(out.end(), buffer, buffer + got);
        if (got == 0 || hr == S_FALSE) {
            hr = S_OK;
            break;
        }
    }
    stream->Release();
    return hr;
}

/// Writes `data` as the stream property `tag` of `object` (OpenProperty with IID_IStream,
/// MAPI_CREATE | MAPI_MODIFY; Write until done; Commit).
inline HRESULT write_stream_property(IMAPIProp* object, ULONG tag, const binary& data)
{
    LPUNKNOWN unknown = nullptr;
    HRESULT hr = object->OpenProperty(tag, &iid_stream, STGM_READWRITE, MAPI_CREATE | MAPI_MODIFY, &unknown);
    if (FAILED(hr) || unknown == nullptr) {
        return FAILED(hr) ? hr : MAPI_E_CALL_FAILED;
    }
    auto* stream = static_cast<IStream*>(static_cast<void*>(unknown));
    std::size_t done = 0;
    while (SUCCEEDED(hr) && done < data.size()) {
        const std::size_t chunk = data.size() - done < 65536 ? data.size() - done : 65536;
        ULONG wrote = 0;
        hr = stream->Write(data.data() + done, static_cast<ULONG>(chunk), &wrote);
        if (SUCCEEDED(hr) && wrote == 0) {
            hr = STG_E_MEDIUMFULL;
        }
        done += wrote;
    }
    if (SUCCEEDED(hr)) {
        hr = stream->Commit(STGC_DEFAULT);
    }
    stream->Release();
    return hr;
}

/// The attachments of `message` as rows: for each row of the attachment table, the
/// attachment's own properties (OpenAttach, GetProps of all with MAPI_UNICODE), with
/// PR_ATTACH_DATA_BIN read through a stream when GetProps could not return it whole. An
/// attachment that cannot be opened keeps its table row. Throws: `std::bad_alloc`.
inline HRESULT read_attachments(IMessage* message, LPFREEBUFFER free_buffer, std::vector<property_bag>& out)
{
    LPMAPITABLE table = nullptr;
    HRESULT hr = message->GetAttachmentTable(MAPI_UNICODE, &table);
    if (FAILED(hr) || table == nullptr) {
        return hr == MAPI_E_NO_SUPPORT ? S_OK : hr;
    }
    table_rows rows{table, free_buffer};
    table->Release();
    for (std::size_t i = 0; i != rows.size(); ++i) {
        property_bag row = rows.bag(i);
        const std::optional<std::int32_t> num = row.get_i4(pr::attach_num);
        LPATTACH attach = nullptr;
        if (num && SUCCEEDED(message->OpenAttach(static_cast<ULONG>(*num), nullptr, 0, &attach)) && attach != nullptr) {
            ULONG count = 0;
            LPSPropValue values = nullptr;
            if (SUCCEEDED(attach->GetProps(nullptr, MAPI_UNICODE, &count, &values)) && values != nullptr) {
                bool data_too_big = false;
                for (ULONG k = 0; k != count; ++k) {
                    if (PROP_TYPE(values[k].ulPropTag) == PT_ERROR) {
                        if (PROP_ID(values[k].ulPropTag) == PROP_ID(PR_ATTACH_DATA_BIN) &&
                            values[k].Value.err == MAPI_E_NOT_ENOUGH_MEMORY) {
                            data_too_big = true;
                        }
                        continue;
                    }
                    add_sprop(row, values[k]);
                }
                if (free_buffer != nullptr) {
                    free_buffer(values);
                }
                if (data_too_big) {
                    binary data;
                    if (SUCCEEDED(read_stream_property(attach, PR_ATTACH_DATA_BIN, data))) {
                        static_cast<void>(row.set(pr::attach_data_bin, std::move(data)));
                    }
                }
            }
            attach->Release();
        }
        out.push_back(std::move(row));
    }
    return rows.status();
}

/// Adds `recipients` to `message` with ModifyRecipients(MODRECIP_ADD); PR_ROWID is left out
/// (the message numbers its rows). Memory from `a` when usable, else from the C++ heap (the
/// caller owns lpMods). No call when there are no recipients.
inline HRESULT add_recipients(IMessage* message, const std::vector<property_bag>& recipients, const mapi_allocators& a)
{
    if (recipients.empty()) {
        return S_OK;
    }
    std::vector<std::vector<SPropValue>> arrays;
    std::vector<std::unique_ptr<sprop_array>> keep;
    for (const property_bag& r : recipients) {
        property_bag row = r;
        row.erase(pr::rowid);
        keep.push_back(std::make_unique<sprop_array>(row));
        sprop_array& values = *keep.back();
        arrays.emplace_back(values.data(), values.data() + values.size());
    }
    if (a.usable()) {
        mapi_adrlist list{recipients.size(), a};
        if (!list.ok()) {
            return E_OUTOFMEMORY;
        }
        for (auto& v : arrays) {
            if (!list.add(v.data(), static_cast<ULONG>(v.size()))) {
                return E_OUTOFMEMORY;
            }
        }
        return message->ModifyRecipients(MODRECIP_ADD, list.get());
    }
    std::vector<std::byte> storage(offsetof(ADRLIST, aEntries) + arrays.size() * sizeof(ADRENTRY));
    auto* list = reinterpret_cast<LPADRLIST>(storage.data());
    list->cEntries = static_cast<ULONG>(arrays.size());
    for (std::size_t i = 0; i != arrays.size(); ++i) {
        list->aEntries[i].ulReserved1 = 0;
        list->aEntries[i].cValues = static_cast<ULONG>(arrays[i].size());
        list->aEntries[i].rgPropVals = arrays[i].empty() ? nullptr : arrays[i].data();
    }
    return message->ModifyRecipients(MODRECIP_ADD, list);
}

/// Creates one attachment of `message` per row (CreateAttach; SetProps of the row without
/// PR_ATTACH_NUM, which the message assigns; PR_ATTACH_DATA_BIN larger than
/// `attach_stream_threshold` through a stream; SaveChanges(0)). Stops at the first failure.
inline HRESULT add_attachments(IMessage* message, const std::vector<property_bag>& attachments)
{
    for (const property_bag& a : attachments) {
        property_bag props = a;
        props.erase(pr::attach_num);
        const binary* data = props.get_binary(pr::attach_data_bin);
        binary big;
        if (data != nullptr && data->size() > attach_stream_threshold) {
            big = *data;
            props.erase(pr::attach_data_bin);
        }
        ULONG num = 0;
        LPATTACH attach = nullptr;
        HRESULT hr = message->CreateAttach(nullptr, 0, &num, &attach);
        if (FAILED(hr) || attach == nullptr) {
            return FAILED(hr) ? hr : MAPI_E_CALL_FAILED;
        }
        sprop_array values{props};
        if (values.size() != 0) {
            hr = attach->SetProps(values.size(), values.data(), nullptr);
        }
        if (SUCCEEDED(hr) && !big.empty()) {
            hr = write_stream_property(attach, PR_ATTACH_DATA_BIN, big);
        }
        if (SUCCEEDED(hr)) {
            hr = attach->SaveChanges(0);
        }
        attach->Release();
        if (FAILED(hr)) {
            return hr;
        }
    }
    return S_OK;
}

} // namespace detail
} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
