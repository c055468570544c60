// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

namespace mandate::firewall {

/// A call's arguments must mean the same to the policy as to the upstream, which reads them as
/// plain JSON. Two things would make them differ:
/// - Cedar's JSON escapes: an object with a member `__entity`, `__extn` or `__expr` is read by
///   Cedar as an entity reference or an extension value (wherever the schema leaves the type
///   open), so an agent could hand the policy `User::"alice"` while the upstream gets an object;
/// - U+0000 in a name or a string: an upstream written in C stops reading there, after the
///   policy saw the whole string ("T-9999\u0000" is not "T-9999" to a policy forbidding it).
namespace PlainArguments {

/// Why `args` are not plain data, naming the argument ("filter[0].owner"), or nothing.
QString whyNot(const QJsonObject &args);

} // namespace PlainArguments

} // namespace mandate::firewall
