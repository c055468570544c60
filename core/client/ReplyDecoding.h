// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/GatewayClient.h"

namespace mandate::client {

/// The reply callback for GatewayClient::send(): errors pass through, bodies go through
/// `decode` (QByteArray → ClientResult<T>). The reply type is private to GatewayClient, hence
/// the generic lambda. For the GatewayClient*.cpp files only.
template<typename T, typename Decode>
auto decodedBy(GatewayClient::Callback<T> done, Decode decode)
{
    return [done = std::move(done), decode](auto raw) {
        if (!raw) {
            done(raw.error());
            return;
        }
        done(decode(raw->body));
    };
}

} // namespace mandate::client
