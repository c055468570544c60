// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>

namespace mandate::PrivateFile {

/// Files that hold a secret (an API key, a client secret) for its owner. Each is readable by
/// the owner only from its first byte: created with mode 0600 and O_EXCL, so never through a
/// symbolic link and never into a file someone else made. It is written whole and synced, or
/// not left behind at all; errors are "io" with the path and the reason.

/// Creates `path`, which must not exist yet; its directory is synced, so that the new name
/// survives a crash.
Status create(const QString &path, const QByteArray &bytes);

/// Creates or replaces `path` atomically: a temporary file beside it, renamed over it, and the
/// directory synced so that the new name survives a crash.
Status replace(const QString &path, const QByteArray &bytes);

} // namespace mandate::PrivateFile
