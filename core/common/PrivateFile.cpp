// SPDX-License-Identifier: Apache-2.0
#include "common/PrivateFile.h"

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace mandate::PrivateFile {

namespace {

Error ioError(const QString &what, const QString &path, int error)
{
    return Error{QStringLiteral("io"), QStringLiteral("%1 %2: %3").arg(what, path, qt_error_string(error))};
}

bool writeAll(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;  // nothing written and no error said: do not report a stale one
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

/// Makes the name of a file just created or renamed in `path`'s directory survive a crash.
Status syncDirectoryOf(const QString &path)
{
    const QByteArray directory = QFile::encodeName(QFileInfo(path).absolutePath());
    const int handle = ::open(directory.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool synced = handle >= 0 && ::fsync(handle) == 0;
    const int error = errno;
    if (handle >= 0)
        ::close(handle);
    if (!synced && handle >= 0 && (error == EINVAL || error == ENOTSUP))
        synced = true;  // a file system that cannot sync a directory (as SQLite also allows)
    if (!synced)
        return ioError(QStringLiteral("cannot sync"), QString::fromLocal8Bit(directory), error);
    return Status::success();
}

/// The new file at `path` with `bytes` in it, synced; nothing left there on failure.
Status writeNew(const QString &path, const QByteArray &bytes)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return ioError(errno == EEXIST ? QStringLiteral("cannot create (it exists already)") : QStringLiteral("cannot create"),
                       path, errno);
    // The mode given to open() is narrowed by the umask but never widened: 0600 holds.
    const bool written = writeAll(fd, bytes) && ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    if (!written) {
        ::unlink(native.constData());
        return ioError(QStringLiteral("cannot write"), path, error);
    }
    return Status::success();
}

} // namespace

Status create(const QString &path, const QByteArray &bytes)
{
    if (Status written = writeNew(path, bytes); !written)
        return written;
    if (Status synced = syncDirectoryOf(path); !synced) {
        ::unlink(QFile::encodeName(path).constData());  // not left behind: the caller may try again
        return synced;
    }
    return Status::success();
}

Status replace(const QString &path, const QByteArray &bytes)
{
    const QString temporary = path + QStringLiteral(".new");
    ::unlink(QFile::encodeName(temporary).constData());  // left by a crash in an earlier replace
    if (Status written = writeNew(temporary, bytes); !written)
        return written;
    if (std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) != 0) {
        const int error = errno;
        ::unlink(QFile::encodeName(temporary).constData());
        return ioError(QStringLiteral("cannot replace"), path, error);
    }
    return syncDirectoryOf(path);
}

} // namespace mandate::PrivateFile
