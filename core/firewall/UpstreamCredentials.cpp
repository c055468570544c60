// SPDX-License-Identifier: Apache-2.0
#include "firewall/UpstreamCredentials.h"

#include "common/HttpToken.h"
#include "identity/Validator.h"

#include <QDir>
#include <QHostAddress>
#include <QFile>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace mandate::firewall {

namespace {

/// Closes a descriptor on every way out.
struct FileDescriptor
{
    int fd;
    ~FileDescriptor()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

Error unavailable(const QString &message)
{
    return Error{QStringLiteral("credential_unavailable"), message};
}

/// Headers the gateway writes itself, or that frame the message: a credential may not replace
/// them, nor smuggle a second value of one in.
bool isGatewayHeader(const QByteArray &name)
{
    static const std::array kOwn{"host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
                                 "te", "trailer", "upgrade", "expect", "traceparent", "tracestate"};
    const QByteArray lower = name.toLower();
    for (const char *own : kOwn) {
        if (lower == own)
            return true;
    }
    return lower.startsWith("x-mandate-") || lower.startsWith("proxy-");
}

const QString kFormat = QStringLiteral("its first line must be one header, \"Name: value\"");

Result<UpstreamHeader> parseHeader(QByteArrayView line)
{
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return unavailable(kFormat);
    const QByteArrayView name = line.first(colon);
    for (const char c : name) {
        if (!isHttpTokenChar(c))
            return unavailable(QStringLiteral("its header name is not an HTTP field name"));
    }
    UpstreamHeader header;
    header.name = name.toByteArray();
    if (isGatewayHeader(header.name))
        return unavailable(QStringLiteral("it names header %1, which the gateway sets itself").arg(QString::fromLatin1(header.name)));
    const QByteArrayView value = line.sliced(colon + 1).trimmed();
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t') || byte >= 0x7F)
            return unavailable(QStringLiteral("its value must be visible ASCII, spaces and tabs"));
    }
    if (value.isEmpty())
        return unavailable(QStringLiteral("its value is empty"));
    header.value = value.toByteArray();
    return header;
}

/// "upstream https://billing.internal" as an origin, or why not.
Result<QString> parseOrigin(QByteArrayView line, int number)
{
    const QString where = QStringLiteral("line %1").arg(number);
    if (!line.startsWith("upstream ") && !line.startsWith("upstream\t"))
        return unavailable(where + QStringLiteral(" must be \"upstream ORIGIN\" (a blank line or a # comment)"));
    const QByteArrayView text = line.sliced(8).trimmed();
    for (const char c : text) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F)
            return unavailable(where + QStringLiteral(" holds an origin with a blank or a character that is not ASCII"));
    }
    const QUrl url(QString::fromLatin1(text.data(), text.size()), QUrl::StrictMode);
    const bool bare = url.path().isEmpty() || url.path() == QLatin1String("/");
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) || url.host().isEmpty()
        || !bare || url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return unavailable(where + QStringLiteral(" must name an origin: http(s)://host[:port], nothing after it"));
    return UpstreamCredential::originOf(url);
}

} // namespace

QString UpstreamCredential::originOf(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    const int port = url.port(scheme == QLatin1String("https") ? 443 : 80);
    const QString host = url.host().toLower();
    const QString bracketed = host.contains(u':') ? u'[' + host + u']' : host;  // an IPv6 address
    return scheme + QStringLiteral("://") + bracketed + u':' + QString::number(port);
}

bool UpstreamCredentials::redact(QByteArray &body, const UpstreamHeader &header)
{
    constexpr QByteArrayView kMarker = "[credential redacted by Mandate]";
    const qsizetype space = header.value.indexOf(' ');
    QList<QByteArray> forms;
    for (const QByteArray &secret : {header.value, space > 0 ? header.value.mid(space + 1).trimmed() : QByteArray()}) {
        if (secret.size() < 8)
            continue;
        QByteArray jsonEscaped = secret;
        jsonEscaped.replace("/", "\\/");
        for (const QByteArray &form : {secret, jsonEscaped, QUrl::toPercentEncoding(QString::fromLatin1(secret))}) {
            if (!forms.contains(form))
                forms.append(form);
        }
    }
    bool found = false;
    for (const QByteArray &form : std::as_const(forms)) {
        if (body.contains(form)) {
            body.replace(form, kMarker.toByteArray());
            found = true;
        }
    }
    return found;
}

bool UpstreamCredential::mayBeSentTo(const QUrl &upstream, QString *why) const
{
    const QString origin = originOf(upstream);
    if (!origins.isEmpty() && !origins.contains(origin)) {
        *why = QStringLiteral("it is bound to %1, not to %2").arg(origins.join(QStringLiteral(", ")), origin);
        return false;
    }
    // A literal address only: a name such as localhost is whatever the resolver says.
    const bool loopback = QHostAddress(upstream.host()).isLoopback();
    if (upstream.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) != 0 && !loopback) {
        *why = QStringLiteral("%1 is plain http to another host: the secret would travel unencrypted").arg(origin);
        return false;
    }
    return true;
}

UpstreamCredentials::UpstreamCredentials(QString directory) : m_directory(std::move(directory)) {}

Result<UpstreamCredential> UpstreamCredentials::parse(QByteArrayView text)
{
    UpstreamCredential credential;
    bool first = true;
    int number = 0;
    while (!text.isEmpty() || first) {
        const qsizetype end = text.indexOf('\n');
        QByteArrayView line = end < 0 ? text : text.first(end);
        text = end < 0 ? QByteArrayView() : text.sliced(end + 1);
        ++number;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.contains('\r'))
            return unavailable(QStringLiteral("line %1 holds a bare carriage return").arg(number));
        if (first) {
            first = false;
            auto header = parseHeader(line);
            if (!header)
                return header.error();
            credential.header = std::move(header).value();
            continue;
        }
        if (line.trimmed().isEmpty() || line.startsWith('#'))
            continue;
        auto origin = parseOrigin(line, number);
        if (!origin)
            return origin.error();
        credential.origins.append(origin.value());
    }
    return credential;
}

UpstreamCredentials::FileVersion UpstreamCredentials::versionOf(const struct stat &st)
{
    UpstreamCredentials::FileVersion version;
    version.device = st.st_dev;
    version.inode = st.st_ino;
    version.size = st.st_size;
    version.mode = st.st_mode;
    version.owner = st.st_uid;
    version.modifiedNs = qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    version.changedNs = qint64(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    return version;
}

Result<UpstreamCredential> UpstreamCredentials::credential(const QString &name) const
{
    // The name comes from the registry, where it is validated; checked again here because it
    // becomes a path.
    if (!identity::Validator::isValidId(name))
        return unavailable(QStringLiteral("\"%1\" is not a credential name").arg(name));
    // Whoever may write the directory may replace what is in it (with a link to another
    // credential of this gateway's, say): it must be the gateway user's or root's, and closed
    // to writes by others, as ssh asks of ~/.ssh.
    struct stat st {};
    if (::stat(QFile::encodeName(m_directory).constData(), &st) == 0
        && ((st.st_mode & 022) != 0 || (st.st_uid != ::geteuid() && st.st_uid != 0)))
        return unavailable(QStringLiteral("the credentials directory %1 may be written by others than the gateway's user "
                                          "(mode %2, owner %3)")
                               .arg(m_directory).arg(st.st_mode & 0777, 3, 8, QLatin1Char('0')).arg(st.st_uid));
    const QString path = QDir(m_directory).filePath(name);
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) {
        if (errno == ENOENT)
            return unavailable(QStringLiteral("there is no credential file %1").arg(path));
        return unavailable(QStringLiteral("cannot read credential file %1: %2").arg(path, qt_error_string(errno)));
    }
    FileVersion seen = versionOf(st);
    {
        const std::lock_guard lock(m_mutex);
        const auto it = m_cache.constFind(name);
        if (it != m_cache.constEnd() && it->version == seen)
            return it->credential;
    }
    auto read = UpstreamCredentials::read(path, seen);
    const std::lock_guard lock(m_mutex);
    if (read)
        m_cache.insert(name, Cached{seen, read.value()});
    else
        m_cache.remove(name);
    return read;
}

Result<UpstreamCredential> UpstreamCredentials::read(const QString &path, FileVersion &version)
{
    // Opened without blocking (a FIFO in its place must not hold the call) and checked on the
    // descriptor, so that what is checked is what is read.
    const FileDescriptor file{::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
    if (file.fd < 0)
        return unavailable(QStringLiteral("cannot open credential file %1: %2").arg(path, qt_error_string(errno)));
    struct stat st {};
    if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
        return unavailable(QStringLiteral("credential file %1 is not a regular file").arg(path));
    if ((st.st_mode & 077) != 0)
        return unavailable(QStringLiteral("credential file %1 is accessible by group or others (mode %2); it must be 0600 or 0400")
                               .arg(path).arg(st.st_mode & 0777, 3, 8, QLatin1Char('0')));
    if (st.st_uid != ::geteuid())
        return unavailable(QStringLiteral("credential file %1 belongs to user %2, not to the gateway's (%3)").arg(path).arg(st.st_uid).arg(::geteuid()));
    if (st.st_size > kMaxFileBytes)
        return unavailable(QStringLiteral("credential file %1 is larger than %2 bytes").arg(path).arg(kMaxFileBytes));
    version = versionOf(st);
    QByteArray text(kMaxFileBytes + 1, Qt::Uninitialized);
    qsizetype length = 0;
    while (length < text.size()) {
        const ssize_t got = ::read(file.fd, text.data() + length, size_t(text.size() - length));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            text.fill('\0');
            return unavailable(QStringLiteral("cannot read credential file %1: %2").arg(path, qt_error_string(errno)));
        }
        if (got == 0)
            break;
        length += got;
    }
    auto parsed = length > kMaxFileBytes ? Result<UpstreamCredential>(unavailable(QStringLiteral("it grew while it was read")))
                                         : parse(QByteArrayView(text.constData(), length));
    text.fill('\0');  // the secret stays in the cache alone
    if (!parsed)
        return unavailable(QStringLiteral("credential file %1: %2").arg(path, parsed.error().message));
    return parsed;
}

} // namespace mandate::firewall
