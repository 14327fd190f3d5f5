// SPDX-License-Identifier: MIT
/// \file
/// `message`: one unit of work posted to a `message_loop`, and `loop_message_kind`, what it is about.
#ifndef MAPIXX_SERVICE_MESSAGE_HPP_INCLUDED
#define MAPIXX_SERVICE_MESSAGE_HPP_INCLUDED

#include <cstdint>
#include <functional>

namespace mapixx::inline v0 {

/// What a `message` is about. The loop itself looks only at `handler`; the id is for the code
/// that posts, logs or inspects messages (a handler can read the message being run with
/// `message_loop::current()`).
///
/// Values below `user` are reserved for mapixx: the ones named here, and room for more. An
/// application picks its own ids from `user` up: `static_cast<loop_message_kind>(0x10000 + n)`.
enum class loop_message_kind : std::uint32_t {
    /// A plain call: run `handler` on the loop's thread.
    call = 0x0000,
    /// No handler: only wakes the loop, so that its idle handler runs again (`wake()`).
    wake = 0x0001,
    /// A coroutine resumed on the loop's thread (`schedule()`).
    resume = 0x0002,

    /// A session notification of no more specific kind.
    notification = 0x0100,
    /// A status row was added or changed (the status table's fnevTableModified; MAPI-REFERENCE
    /// 8.4). The session layer posts `session_event_kind::status_row_modified` events with it.
    status_changed = 0x0101,
    /// A session ended (logoff, or MAPI_LOGOFF_SHARED by another member): the
    /// `session_event_kind::session_ended` event. No notification of that session follows it.
    session_ended = 0x0102,
    /// New mail arrived in a store (fnevNewMail).
    new_mail = 0x0103,
    /// A provider or the subsystem reported a critical error (fnevCriticalError).
    critical_error = 0x0104,

    /// The first id free for applications.
    user = 0x10000,
};

/// One unit of work for a `message_loop`: the loop runs `handler` on its own thread, in the
/// order messages were posted.
///
/// The session layer delivers notifications as messages: it wraps the advise sink and the
/// event in the handler and names the kind in `id`, with the advise connection (or any other
/// number that says whom it is for) in `tag`:
///
/// \code
/// loop.post({.id = mapixx::loop_message_kind::status_changed,
///            .handler = [sink, event] { sink(event); },
///            .tag = connection}).value();
/// \endcode
///
/// A message whose `handler` is empty does nothing when dispatched; it still counts as a
/// message (it wakes the loop, and `pump()` counts it).
///
/// A message that is never dispatched (the loop is destroyed first) is destroyed with the
/// loop, on the thread that destroys it: what the handler captures must allow that. A handler
/// whose target may be gone by the time it runs (a sink after `unadvise`) should capture a
/// `std::weak_ptr` or a flag and do nothing when it is gone.
struct message {
    /// What the message is about (`loop_message_kind::call` for plain work).
    loop_message_kind id = loop_message_kind::call;
    /// What to run on the loop's thread. May be empty (see above). Exceptions it throws leave
    /// `pump()` (the message counts as dispatched; later messages stay queued).
    std::function<void()> handler;
    /// Whom the message is for, as the poster chooses: an advise connection, a session number;
    /// 0 for nobody in particular. The loop does not look at it.
    std::uint64_t tag = 0;
};

} // namespace mapixx::inline v0
#endif
