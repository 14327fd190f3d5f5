// SPDX-License-Identifier: MIT
/// \file
/// The service layer: every header of `mapixx/service/` (message loop, waitable events, stop
/// signal, notification routing).
#ifndef MAPIXX_SERVICE_SERVICE_HPP_INCLUDED
#define MAPIXX_SERVICE_SERVICE_HPP_INCLUDED

#include <mapixx/service/message.hpp>
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/notification_dispatcher.hpp>
#include <mapixx/service/stop_signal.hpp>
#include <mapixx/service/waitable_event.hpp>

#endif
