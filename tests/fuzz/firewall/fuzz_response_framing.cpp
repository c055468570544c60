// SPDX-License-Identifier: Apache-2.0
// Fuzz target for firewall::framing, the strict reading of an upstream's answer head. The input
// is taken as header lines (split on CRLF). Properties: a Content-Type that is kept holds only
// visible ASCII and blanks, with a '/' (it is written back to the agent); a field line with a
// bare CR, LF or NUL is never taken in; a chunk size that is read is what its hex digits say.
#include "firewall/ResponseFraming.h"

#include <QByteArray>
#include <QList>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace framing = mandate::firewall::framing;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

bool passable(const QByteArray &value)
{
    for (const char c : value) {
        if (!((c >= 0x20 && c < 0x7f) || c == '\t'))
            return false;
    }
    return value.contains('/');
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    framing::Head head;
    for (const QByteArray &line : input.split('\r')) {
        const QByteArray field = line.startsWith('\n') ? line.mid(1) : line;
        if (field.isEmpty())
            continue;
        const bool breaks = field.contains('\n') || field.contains('\0');
        const QString malformed = framing::takeField(field, head);
        require(!breaks || !malformed.isEmpty());
        require(head.contentType.isEmpty() || passable(head.contentType));
        if (const std::optional<quint64> chunk = framing::chunkSize(field)) {
            bool ok = false;
            const qsizetype extension = field.indexOf(';');
            const QByteArray digits = (extension < 0 ? field : field.first(extension)).trimmed();
            require(digits.toULongLong(&ok, 16) == *chunk && ok);
        }
    }
    static_cast<void>(framing::checkFraming(head));
    return 0;
}
