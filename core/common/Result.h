// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <optional>
#include <utility>
#include <variant>

namespace mandate {

/// Either a value or an Error. [[nodiscard]] so that a failure can never be ignored silently.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_state(std::move(value)) {}
    Result(Error error) : m_state(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_state); }
    T &value() & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

/// Result of an operation that yields nothing but may fail.
class [[nodiscard]] Status
{
public:
    Status() = default;
    Status(Error error) : m_error(std::move(error)) {}
    static Status success() { return {}; }

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

/// Moves the value of `result` into `out` and succeeds, or fails with its error: for callbacks
/// that must answer a Status but produce a value for their caller.
template<typename T>
Status takeValue(Result<T> result, T &out)
{
    if (!result)
        return result.error();
    out = std::move(result).value();
    return Status::success();
}

} // namespace mandate
