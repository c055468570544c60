// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace mandate::api {

/// Checks on what an agent sends through /v1/tools/{tool}/…, which the upstream reads as it
/// came: the policy must see the same arguments any upstream would.
namespace ToolCallArguments {

/// Why the JSON body's member names are ambiguous, or nothing: two names of one object, at any
/// depth, that are equal but for case ("status" and "STATUS", or "ſtatus": Unicode case
/// folding), which many servers' decoders treat as one, keeping the last.
QString ambiguousNames(const QJsonObject &body);

/// Why the query's items are ambiguous, or nothing: an empty name, or a name given twice
/// (compared case-folded, as above).
QString ambiguousQuery(const QList<QPair<QString, QString>> &items);

/// The caller's `tracestate` when it is a well-formed W3C list (at most 32 key=value members,
/// 512 characters), else empty.
QByteArray wellFormedTracestate(const QByteArray &header);

} // namespace ToolCallArguments

} // namespace mandate::api
