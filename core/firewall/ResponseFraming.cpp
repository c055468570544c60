// SPDX-License-Identifier: Apache-2.0
#include "firewall/ResponseFraming.h"

#include "common/HttpToken.h"

#include <QList>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

namespace mandate::firewall::framing {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isHttpTokenChar);
}

void skipOws(QByteArrayView &rest)
{
    while (!rest.isEmpty() && isOws(rest.front()))
        rest = rest.sliced(1);
}

QByteArrayView trimOws(QByteArrayView text)
{
    skipOws(text);
    while (!text.isEmpty() && isOws(text.back()))
        text.chop(1);
    return text;
}

/// A bare CR or LF would let the upstream add a header line of its own where a field is written
/// back to the agent; a NUL cuts C strings short.
bool hasLineBreakOrNul(QByteArrayView line)
{
    return line.contains('\r') || line.contains('\n') || line.contains('\0');
}

/// Consumes a token from the front of `rest`; false if there is none.
bool takeToken(QByteArrayView &rest)
{
    qsizetype length = 0;
    while (length < rest.size() && isHttpTokenChar(rest[length]))
        ++length;
    rest = rest.sliced(length);
    return length > 0;
}

/// Consumes a quoted-string (RFC 9110 §5.6.4) from the front of `rest`. Unlike the RFC it refuses
/// obs-text: nothing but visible ASCII and blanks is passed on to the agent.
bool takeQuotedString(QByteArrayView &rest)
{
    const auto isVisibleOrBlank = [](char c) { return (c >= 0x21 && c <= 0x7e) || isOws(c); };
    if (!rest.startsWith('"'))
        return false;
    for (qsizetype i = 1; i < rest.size(); ++i) {
        if (rest[i] == '"') {
            rest = rest.sliced(i + 1);
            return true;
        }
        if (rest[i] == '\\')
            ++i;  // quoted-pair: the next character stands for itself
        if (i >= rest.size() || !isVisibleOrBlank(rest[i]))
            return false;
    }
    return false;
}


/// 1*DIGIT (RFC 9110 §8.6): no sign, no inner blanks; nullopt when malformed or beyond qint64.
std::optional<qint64> digits(QByteArrayView value)
{
    if (value.isEmpty() || !std::all_of(value.begin(), value.end(), isDigit))
        return std::nullopt;
    bool ok = false;
    const qint64 length = value.toLongLong(&ok);
    return ok ? std::optional(length) : std::nullopt;
}

/// A Content-Length value: digits, or a list of the same digits repeated, which proxies make of
/// duplicated fields and RFC 9110 §8.6 lets a recipient take as the one value.
std::optional<qint64> contentLength(QByteArrayView value)
{
    std::optional<qint64> length;
    for (const QByteArray &element : value.toByteArray().split(',')) {
        const std::optional<qint64> one = digits(trimOws(element));
        if (!one || (length && *one != *length))
            return std::nullopt;
        length = one;
    }
    return length;
}

/// Whether a Transfer-Encoding list (all its fields joined by commas) is chunked alone: the
/// gateway asks for no other coding (it sends no TE), and one it would not decode (gzip) would
/// reach the agent, and the inspection, as opaque bytes.
bool isChunkedAlone(const QByteArray &codings)
{
    int codingCount = 0;
    bool chunked = false;
    for (const QByteArray &element : codings.split(',')) {
        const QByteArrayView coding = trimOws(element);
        if (coding.isEmpty())
            continue;  // empty list elements are allowed
        ++codingCount;
        chunked = coding.compare("chunked", Qt::CaseInsensitive) == 0;
    }
    return codingCount == 1 && chunked;
}

} // namespace

bool isMediaType(QByteArrayView text)
{
    if (!takeToken(text) || !text.startsWith('/'))
        return false;
    text = text.sliced(1);
    if (!takeToken(text))
        return false;
    for (;;) {
        skipOws(text);
        if (text.isEmpty())
            return true;
        if (!text.startsWith(';'))
            return false;
        text = text.sliced(1);
        skipOws(text);
        if (text.isEmpty() || text.startsWith(';'))
            continue;  // an empty parameter, which the grammar allows
        if (!takeToken(text) || !text.startsWith('='))
            return false;
        text = text.sliced(1);
        if (!takeToken(text) && !takeQuotedString(text))
            return false;
    }
}

std::optional<quint64> chunkSize(QByteArrayView line)
{
    const qsizetype extension = line.indexOf(';');
    QByteArrayView digits = extension < 0 ? line : line.first(extension);
    while (extension >= 0 && !digits.isEmpty() && isOws(digits.back()))
        digits.chop(1);
    if (digits.isEmpty() || digits.size() > 16)
        return std::nullopt;
    quint64 size = 0;  // from_chars into an unsigned type takes neither a sign nor "0x"
    const auto [end, error] = std::from_chars(digits.begin(), digits.end(), size, 16);
    return error == std::errc() && end == digits.end() ? std::optional(size) : std::nullopt;
}


QString takeField(const QByteArray &line, Head &head)
{
    if (isOws(line.front()))
        return QStringLiteral("the upstream sent a malformed header: a folded line");  // obs-fold, RFC 9112 §5.2
    if (hasLineBreakOrNul(line))
        return QStringLiteral("the upstream sent a malformed header: a bare CR, LF or NUL in it");
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(QByteArrayView(line).first(colon)))  // also whitespace before the colon, RFC 9112 §5.1
        return QStringLiteral("the upstream sent a malformed header");
    const QByteArray name = line.left(colon).toLower();
    const QByteArrayView value = trimOws(QByteArrayView(line).sliced(colon + 1));
    if (name == "content-length") {
        const std::optional<qint64> parsed = contentLength(value);
        if (!parsed || (head.length && *parsed != *head.length))
            return QStringLiteral("the upstream sent an invalid Content-Length");
        head.length = parsed;
    } else if (name == "transfer-encoding") {
        // Fields of one name make one list; the leading ',' only adds an empty element.
        head.transferCodings = QByteArray(head.transferCodings.value_or(QByteArray()) + ',' + value);
    } else if (name == "connection") {
        const QByteArray token = value.toByteArray().toLower();
        if (token.contains("close"))
            head.keepAlive = false;
        else if (token.contains("keep-alive"))
            head.keepAlive = true;
    } else if (name == "content-type") {
        // Written back to the agent: anything but a plain media type is dropped, as if absent.
        head.contentType = isMediaType(value) ? value.toByteArray() : QByteArray();
    }
    return {};
}

QString checkFraming(const Head &head)
{
    if (head.transferCodings && head.length)
        return QStringLiteral("the upstream sent both Transfer-Encoding and Content-Length");  // RFC 9112 §6.3: smuggling
    if (head.transferCodings && !isChunkedAlone(*head.transferCodings))
        return QStringLiteral("the upstream sent a Transfer-Encoding other than chunked alone");
    return {};
}

bool isThreeDigits(QByteArrayView text)
{
    return text.size() == 3 && std::all_of(text.begin(), text.end(), isDigit);
}

} // namespace mandate::firewall::framing
