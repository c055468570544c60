// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <mutex>

struct stat;

namespace mandate::firewall {

/// One header the firewall adds to a tool's calls: "Authorization: Bearer …", "X-Api-Key: …".
struct UpstreamHeader
{
    QByteArray name;
    QByteArray value;
};

/// The secrets a gateway presents to tools' upstreams on the agents' behalf, so that no agent
/// ever holds an upstream's API key: a tool names a credential (Tool::upstreamCredential) and
/// the firewall adds it to each call it forwards. Each credential is a file of that name in
/// one directory, holding one header line ("Authorization: Bearer …"), readable by the
/// gateway's user only (like its signing keys). A file is re-read when it changes (a new
/// inode, size, modification or status time), so a rotated secret is used from the next call;
/// between changes a call costs one stat(2). Errors name the file and what is wrong with it,
/// never its contents.
class UpstreamCredentials
{
public:
    static constexpr qsizetype kMaxFileBytes = 8192;

    explicit UpstreamCredentials(QString directory);
    UpstreamCredentials(const UpstreamCredentials &) = delete;
    UpstreamCredentials &operator=(const UpstreamCredentials &) = delete;

    const QString &directory() const { return m_directory; }

    /// The header of credential `name` (a registry id: Validator::isValidId), from its file.
    /// Error "credential_unavailable" when it is missing, unreadable, open to other users or
    /// malformed.
    Result<UpstreamHeader> header(const QString &name) const;

    /// A credential file's text: one line "Name: value", optionally ending in a line break.
    /// The name must be an HTTP field name (RFC 9110 §5.1) that the gateway does not set itself
    /// (framing, tracing and its X-Mandate-* headers); the value visible ASCII, spaces and tabs.
    static Result<UpstreamHeader> parse(QByteArrayView text);

private:
    /// What identifies one version of a file: a change to any of these re-reads it.
    struct FileVersion
    {
        quint64 device = 0;
        quint64 inode = 0;
        qint64 size = -1;
        qint64 modifiedNs = 0;
        qint64 changedNs = 0;
        bool operator==(const FileVersion &) const = default;
    };
    struct Cached
    {
        FileVersion version;
        UpstreamHeader header;
    };

    static FileVersion versionOf(const struct stat &st);
    /// Reads and checks the file at `path`; `version` becomes the version read.
    static Result<UpstreamHeader> read(const QString &path, FileVersion &version);

    QString m_directory;
    mutable std::mutex m_mutex;
    mutable QHash<QString, Cached> m_cache;
};

} // namespace mandate::firewall
