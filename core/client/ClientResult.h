// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/ClientError.h"

#include <utility>
#include <variant>

namespace mandate::client {

/// Nothing, for requests that only succeed or fail (DELETE).
struct Done
{
};

/// Either the value a request produced or the typed reason it failed (mandate::Result's shape,
/// with a ClientError instead of a plain Error).
template<typename T>
class [[nodiscard]] ClientResult
{
public:
    ClientResult(T value) : m_state(std::move(value)) {}
    ClientResult(ClientError error) : m_state(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_state); }
    T &value() & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const T *operator->() const { return &value(); }

    const ClientError &error() const { return std::get<ClientError>(m_state); }

private:
    std::variant<T, ClientError> m_state;
};

} // namespace mandate::client
