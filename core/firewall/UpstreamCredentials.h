// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <mutex>

struct stat;

namespace mandate::firewall {

/// One header the firewall adds to a tool's calls: "Authorization: Bearer …", "X-Api-Key: …".
struct UpstreamHeader
{
    QByteArray name;
    QByteArray value;
};

/// A credential as its file states it: the header, and where it may be sent.
struct UpstreamCredential
{
    UpstreamHeader header;
    /// "https://billing.internal:443": the origins (scheme, host, port) it may be sent to;
    /// empty: any. Bound, a tool pointed elsewhere (by whoever can edit the registry) cannot
    /// carry it away.
    QStringList origins;

    /// Whether it may go to `upstream`: an origin it is bound to (if any), and never over plain
    /// http to a host that is not the loopback interface.
    bool mayBeSentTo(const QUrl &upstream, QString *why) const;
    /// `url`'s origin as `origins` holds them: scheme://host:port, lower case, port explicit.
    static QString originOf(const QUrl &url);
};

/// The secrets a gateway presents to tools' upstreams on the agents' behalf, so that no agent
/// ever holds an upstream's API key: a tool names a credential (Tool::upstreamCredential) and
/// the firewall adds it to each call it forwards. Each credential is a file of that name in
/// one directory (parse() gives its format), owned by the gateway's user and closed to others
/// (like its signing keys), in a directory that only the gateway's user (or root) may write. A file is re-read when it changes (inode, size, owner, mode,
/// modification or status time), so a rotated secret is used from the next call; between
/// changes a call costs one stat(2). Errors name the file and what is wrong with it, never
/// its contents.
class UpstreamCredentials
{
public:
    static constexpr qsizetype kMaxFileBytes = 8192;

    explicit UpstreamCredentials(QString directory);
    UpstreamCredentials(const UpstreamCredentials &) = delete;
    UpstreamCredentials &operator=(const UpstreamCredentials &) = delete;

    const QString &directory() const { return m_directory; }

    /// Credential `name` (a registry id: Validator::isValidId), from its file. Error
    /// "credential_unavailable" when it is missing, unreadable, not the gateway user's, open to
    /// others or malformed.
    Result<UpstreamCredential> credential(const QString &name) const;

    /// A credential file's text. The first line is the header, "Name: value": an HTTP field
    /// name (RFC 9110 §5.1) that the gateway does not set itself (framing, tracing, its
    /// X-Mandate-* headers), and a value of visible ASCII, spaces and tabs. Each further line
    /// is "upstream ORIGIN" (an http or https URL without path, query or user info), binding
    /// the credential to those origins; blank lines and lines starting with '#' are skipped.
    static Result<UpstreamCredential> parse(QByteArrayView text);

    /// Replaces in `body` every echo of the credential's value, and of its token without the
    /// scheme ("Bearer …"), as it was sent, JSON-escaped or percent-encoded, by a marker;
    /// whether there was any. Pieces shorter than 8 bytes are left: they could match anything.
    static bool redact(QByteArray &body, const UpstreamHeader &header);

private:
    /// What identifies one version of a file: a change to any of these re-reads it.
    struct FileVersion
    {
        quint64 device = 0;
        quint64 inode = 0;
        qint64 size = -1;
        quint32 mode = 0;
        quint32 owner = 0;
        qint64 modifiedNs = 0;
        qint64 changedNs = 0;
        bool operator==(const FileVersion &) const = default;
    };
    struct Cached
    {
        FileVersion version;
        UpstreamCredential credential;
    };

    static FileVersion versionOf(const struct stat &st);
    /// Reads and checks the file at `path`; `version` becomes the version read.
    static Result<UpstreamCredential> read(const QString &path, FileVersion &version);

    QString m_directory;
    mutable std::mutex m_mutex;
    mutable QHash<QString, Cached> m_cache;
};

} // namespace mandate::firewall
