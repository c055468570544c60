// SPDX-License-Identifier: Apache-2.0
#include "firewall/UpstreamCredentials.h"

#include <QDir>
#include <QFile>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace mandate::firewall {

namespace {

Error unavailable(const QString &message)
{
    return Error{QStringLiteral("credential_unavailable"), message};
}

bool isTokenChar(char c)
{
    // RFC 9110 §5.6.2 tchar.
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
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

} // namespace

UpstreamCredentials::UpstreamCredentials(QString directory) : m_directory(std::move(directory)) {}

Result<UpstreamHeader> UpstreamCredentials::parse(QByteArrayView text)
{
    if (text.endsWith("\r\n"))
        text.chop(2);
    else if (text.endsWith('\n'))
        text.chop(1);
    if (text.contains('\n') || text.contains('\r'))
        return unavailable(QStringLiteral("it must hold one header line, \"Name: value\""));
    const qsizetype colon = text.indexOf(':');
    if (colon <= 0)
        return unavailable(QStringLiteral("it must hold one header line, \"Name: value\""));
    const QByteArrayView name = text.first(colon);
    for (const char c : name) {
        if (!isTokenChar(c))
            return unavailable(QStringLiteral("its header name is not an HTTP field name"));
    }
    UpstreamHeader header;
    header.name = name.toByteArray();
    if (isGatewayHeader(header.name))
        return unavailable(QStringLiteral("it names header %1, which the gateway sets itself").arg(QString::fromLatin1(header.name)));
    const QByteArrayView value = text.sliced(colon + 1).trimmed();
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

UpstreamCredentials::FileVersion UpstreamCredentials::versionOf(const struct stat &st)
{
    UpstreamCredentials::FileVersion version;
    version.device = st.st_dev;
    version.inode = st.st_ino;
    version.size = st.st_size;
    version.modifiedNs = qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    version.changedNs = qint64(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    return version;
}

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

} // namespace

Result<UpstreamHeader> UpstreamCredentials::header(const QString &name) const
{
    // The name comes from the registry, where it is validated; checked again here because it
    // becomes a path.
    for (const QChar c : name) {
        if (!((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-'))
            return unavailable(QStringLiteral("\"%1\" is not a credential name").arg(name));
    }
    if (name.isEmpty())
        return unavailable(QStringLiteral("the credential name is empty"));
    const QString path = QDir(m_directory).filePath(name);
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return unavailable(QStringLiteral("there is no credential file %1").arg(path));
    FileVersion seen = versionOf(st);
    {
        const std::lock_guard lock(m_mutex);
        const auto it = m_cache.constFind(name);
        if (it != m_cache.constEnd() && it->version == seen)
            return it->header;
    }
    auto read = UpstreamCredentials::read(path, seen);
    const std::lock_guard lock(m_mutex);
    if (read)
        m_cache.insert(name, Cached{seen, read.value()});
    else
        m_cache.remove(name);
    return read;
}

Result<UpstreamHeader> UpstreamCredentials::read(const QString &path, FileVersion &version)
{
    // Opened without blocking (a FIFO in its place must not hold the call) and checked on the
    // descriptor, so that what is checked is what is read.
    const FileDescriptor file{::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
    if (file.fd < 0)
        return unavailable(QStringLiteral("cannot open credential file %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
    struct stat st {};
    if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
        return unavailable(QStringLiteral("credential file %1 is not a regular file").arg(path));
    if ((st.st_mode & 077) != 0)
        return unavailable(QStringLiteral("credential file %1 is accessible by group or others (mode %2); it must be 0600 or 0400")
                               .arg(path).arg(st.st_mode & 0777, 3, 8, QLatin1Char('0')));
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
            return unavailable(QStringLiteral("cannot read credential file %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
        }
        if (got == 0)
            break;
        length += got;
    }
    auto parsed = length > kMaxFileBytes ? Result<UpstreamHeader>(unavailable(QStringLiteral("it grew while it was read")))
                                         : parse(QByteArrayView(text.constData(), length));
    text.fill('\0');  // the secret stays in the cache alone
    if (!parsed)
        return unavailable(QStringLiteral("credential file %1: %2").arg(path, parsed.error().message));
    return parsed;
}

} // namespace mandate::firewall
