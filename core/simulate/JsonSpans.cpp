// SPDX-License-Identifier: Apache-2.0
#include "simulate/JsonSpans.h"

#include <array>

namespace mandate::simulate {

namespace {

/// Bytes that stand for themselves inside a string: printable ASCII but '"' and '\\'.
constexpr auto kPlain = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x80; ++c)
        plain[size_t(c)] = c != '"' && c != '\\';
    return plain;
}();

/// A validating pass over the bytes; every step refuses rather than guesses.
class Scanner
{
public:
    explicit Scanner(QByteArrayView text) : m_p(text.data()), m_end(text.data() + text.size()) {}

    const char *at() const { return m_p; }
    bool atEnd() const { return m_p == m_end; }
    bool take(char c)
    {
        if (m_p == m_end || *m_p != c)
            return false;
        ++m_p;
        return true;
    }
    bool peek(char c) const { return m_p != m_end && *m_p == c; }

    void skipSpace()
    {
        while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }

    bool string()
    {
        if (!take('"'))
            return false;
        while (m_p != m_end) {
            // Most bytes of a record are plain string characters: pass over them in one loop.
            while (m_p != m_end && kPlain[static_cast<unsigned char>(*m_p)])
                ++m_p;
            if (m_p == m_end)
                return false;
            const auto c = static_cast<unsigned char>(*m_p++);
            if (c == '"')
                return true;
            // Non-ASCII (UTF-8 validity) and control characters are left to Qt's reader.
            if (c < 0x20 || c >= 0x80)
                return false;
            if (c == '\\') {
                if (m_p == m_end)
                    return false;
                switch (*m_p++) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
                default: return false; // `\u` included: surrogates are Qt's business
                }
            }
        }
        return false;
    }

    /// Integers and plain decimals only, at most 18 digits: what Qt reads exactly and finitely.
    bool number()
    {
        const char *start = m_p;
        take('-');
        if (take('0')) {
            if (m_p != m_end && isDigit(*m_p))
                return false;
        } else if (!digits()) {
            return false;
        }
        if (take('.') && !digits())
            return false;
        if (m_p != m_end && (*m_p == 'e' || *m_p == 'E'))
            return false;
        return m_p - start <= 19;
    }

    bool literal(const char *word)
    {
        for (; *word; ++word) {
            if (!take(*word))
                return false;
        }
        return true;
    }

    bool value(int depth)
    {
        if (m_p == m_end || depth > JsonSpans::kMaxDepth)
            return false;
        switch (*m_p) {
        case '{': return container('}', depth, true);
        case '[': return container(']', depth, false);
        case '"': return string();
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        default: return number();
        }
    }

private:
    static bool isDigit(char c) { return c >= '0' && c <= '9'; }
    bool digits()
    {
        const char *start = m_p;
        while (m_p != m_end && isDigit(*m_p))
            ++m_p;
        return m_p != start;
    }

    bool container(char close, int depth, bool object)
    {
        ++m_p;
        skipSpace();
        if (take(close))
            return true;
        for (;;) {
            if (object) {
                if (!string())
                    return false;
                skipSpace();
                if (!take(':'))
                    return false;
                skipSpace();
            }
            if (!value(depth + 1))
                return false;
            skipSpace();
            if (take(close))
                return true;
            if (!take(','))
                return false;
            skipSpace();
        }
    }

    const char *m_p;
    const char *m_end;
};

/// The members (`object`) or items of the container `text` is, each handed to `visit`.
bool forEach(QByteArrayView text, bool object, const std::function<bool(QByteArrayView, QByteArrayView)> &visit)
{
    Scanner s(text);
    s.skipSpace();
    if (!s.take(object ? '{' : '['))
        return false;
    const char close = object ? '}' : ']';
    s.skipSpace();
    if (!s.take(close)) {
        for (;;) {
            QByteArrayView key;
            if (object) {
                const char *keyStart = s.at();
                if (!s.string())
                    return false;
                key = QByteArrayView(keyStart + 1, s.at() - keyStart - 2);
                if (key.contains('\\'))
                    return false; // keys are compared as bytes
                s.skipSpace();
                if (!s.take(':'))
                    return false;
                s.skipSpace();
            }
            const char *valueStart = s.at();
            if (!s.value(1) || !visit(key, QByteArrayView(valueStart, s.at() - valueStart)))
                return false;
            s.skipSpace();
            if (s.take(close))
                break;
            if (!s.take(','))
                return false;
            s.skipSpace();
        }
    }
    s.skipSpace();
    return s.atEnd();
}

} // namespace

bool JsonSpans::forEachMember(QByteArrayView text, const std::function<bool(QByteArrayView, QByteArrayView)> &member)
{
    return forEach(text, true, member);
}

bool JsonSpans::forEachItem(QByteArrayView text, const std::function<bool(QByteArrayView)> &item)
{
    return forEach(text, false, [&](QByteArrayView, QByteArrayView value) { return item(value); });
}

std::optional<QString> JsonSpans::string(QByteArrayView value)
{
    Scanner s(value);
    if (!s.string() || !s.atEnd())
        return std::nullopt;
    const QByteArrayView inner = value.sliced(1, value.size() - 2);
    if (!inner.contains('\\'))
        return QString::fromLatin1(inner);
    QString out;
    out.reserve(inner.size());
    for (qsizetype i = 0; i < inner.size(); ++i) {
        char c = inner[i];
        if (c == '\\') {
            switch (inner[++i]) {
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            default: c = inner[i]; break; // '"', '\\', '/'
            }
        }
        out.append(QLatin1Char(c));
    }
    return out;
}

} // namespace mandate::simulate
