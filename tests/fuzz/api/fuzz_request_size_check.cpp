// SPDX-License-Identifier: Apache-2.0
// Fuzz target for api::RequestSizeCheck, which frames and bounds raw request bytes before Qt
// HttpServer buffers them. Properties: the verdict, the requests framed and the body still due
// do not depend on how the bytes are split into arrivals, nor on whether body bytes are looked
// at or only counted (skipBody); a Content-Length it reports is written in the bytes.
#include "api/RequestSizeCheck.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using mandate::api::RequestSizeCheck;

namespace {

constexpr RequestSizeCheck::Limits kLimits{64, 256};

struct Outcome
{
    RequestSizeCheck::Verdict verdict;
    qint64 requests;
    qint64 bodyLeft;
    bool operator==(const Outcome &) const = default;
};

/// Feeds `bytes` in arrivals of `piece` bytes; with `skipping`, body bytes are only counted.
Outcome inPieces(QByteArrayView bytes, qsizetype piece, bool skipping)
{
    RequestSizeCheck check(kLimits);
    qsizetype at = 0;
    while (at < bytes.size()) {
        const qsizetype size = std::min(piece, bytes.size() - at);
        if (skipping && size <= check.bodyLeft())
            check.skipBody(size);
        else
            check.feed(bytes.sliced(at, size));
        at += size;
    }
    return {check.feed({}), check.requests(), check.bodyLeft()};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks the size of the arrivals; the rest is what the client sent.
    const qsizetype piece = 1 + data[0] % 97;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data + 1), static_cast<qsizetype>(size - 1));
    const Outcome whole = inPieces(bytes, bytes.size() + 1, false);
    if (inPieces(bytes, piece, false) != whole || inPieces(bytes, piece, true) != whole)
        std::abort();
    if (whole.bodyLeft < 0 || whole.bodyLeft > kLimits.maxBodyBytes)
        std::abort();
    const qint64 length = RequestSizeCheck::contentLength(bytes);
    if (length >= 0 && !bytes.contains(QByteArray::number(length)))
        std::abort();
    return 0;
}
