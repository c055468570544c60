// SPDX-License-Identifier: Apache-2.0
// Fuzz target for firewall::UpstreamCredentials::parse, the reading of a credential file.
// Properties: an accepted header has a non-empty name of token characters that the gateway
// does not set itself, and a non-empty value of visible ASCII, spaces and tabs that does not
// start or end with a blank: nothing accepted can split the forwarded request's head. Each
// origin it is bound to is in the one form the firewall compares.
#include "firewall/UpstreamCredentials.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto credential = mandate::firewall::UpstreamCredentials::parse(input);
    if (!credential)
        return 0;
    const mandate::firewall::UpstreamHeader *header = &credential->header;
    require(!header->name.isEmpty() && !header->value.isEmpty());
    for (const char c : header->name)
        require(c > 0x20 && c < 0x7f && c != ':' && c != '(' && c != ')' && c != ',' && c != '"');
    for (const char c : header->value)
        require((c >= 0x20 && c < 0x7f) || c == '\t');
    require(header->value.front() != ' ' && header->value.front() != '\t');
    require(header->value.back() != ' ' && header->value.back() != '\t');
    const QByteArray lower = header->name.toLower();
    require(lower != "host" && lower != "content-length" && lower != "transfer-encoding" && !lower.startsWith("x-mandate-"));
    // Every origin it is bound to is one, as originOf() spells them.
    for (const QString &origin : credential->origins)
        require(mandate::firewall::UpstreamCredential::originOf(QUrl(origin)) == origin);
    return 0;
}
