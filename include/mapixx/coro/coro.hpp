// SPDX-License-Identifier: MIT
/// \file
/// Includes the whole coroutine layer: task, sync_wait, scheduler and async_mutex.
#ifndef MAPIXX_CORO_CORO_HPP_INCLUDED
#define MAPIXX_CORO_CORO_HPP_INCLUDED

#include <mapixx/coro/async_mutex.hpp>
#include <mapixx/coro/broken_promise.hpp>
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>

#endif
