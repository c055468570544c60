// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/ChainPosition.h"
#include "common/Result.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace mandate::audit {

/// The position of `gatewayId`'s newest line in the JSON lines file at `path`; nullopt when
/// there is no file or no line of that gateway. A last line cut short by a crash is removed
/// first (its record is written again), but only from a file whose last whole line is an audit
/// record: a path set to some other file is refused, never edited.
Result<std::optional<ChainPosition>> lastPositionInJsonLines(const QString &path, const QString &gatewayId);

} // namespace mandate::audit
