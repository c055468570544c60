// SPDX-License-Identifier: Apache-2.0
// Fuzz target for api::RequestSizeCheck, which bounds raw request bytes before Qt HttpServer
// buffers them. Properties: the verdict does not depend on how the bytes are split into
// arrivals, nor on whether bytes past the head window are given or only counted; a Fine
// verdict never covers more than the two limits together; Content-Length is a plain number.
#include "api/RequestSizeCheck.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using mandate::api::RequestSizeCheck;

namespace {

constexpr RequestSizeCheck::Limits kLimits{64, 256};

RequestSizeCheck::Verdict inPieces(QByteArrayView bytes, qsizetype piece)
{
    RequestSizeCheck check(kLimits);
    RequestSizeCheck::Verdict verdict = RequestSizeCheck::Verdict::Fine;
    for (qsizetype at = 0; at < bytes.size(); at += piece)
        verdict = check.feed(bytes.sliced(at, std::min(piece, bytes.size() - at)));
    return verdict;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks the size of the arrivals; the rest is what the client sent.
    const qsizetype piece = 1 + data[0] % 97;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data + 1), static_cast<qsizetype>(size - 1));
    const RequestSizeCheck::Verdict whole = inPieces(bytes, bytes.size() + 1);
    if (inPieces(bytes, piece) != whole)
        std::abort();
    const qsizetype window = kLimits.maxHeaderBytes + 4;
    if (bytes.size() > window) {
        RequestSizeCheck counted(kLimits);
        if (counted.feed(bytes.first(window), bytes.size() - window) != whole)
            std::abort();
    }
    if (whole == RequestSizeCheck::Verdict::Fine && bytes.size() > kLimits.maxHeaderBytes + kLimits.maxBodyBytes)
        std::abort();
    const qint64 length = RequestSizeCheck::contentLength(bytes);
    if (length < -2)
        std::abort();
    return 0;
}
