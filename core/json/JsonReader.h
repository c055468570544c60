// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>

namespace mandate::json {

/// Bounds applied while parsing untrusted JSON. Exceeding any is an error, never a truncation.
struct Limits
{
    qsizetype maxBytes = 1 << 20;      ///< whole document
    int maxDepth = 64;                 ///< nesting of arrays and objects (keep it modest: the
                                       ///< parser is iterative, but Qt frees QJsonValue trees recursively)
    qsizetype maxStringBytes = 1 << 20; ///< one string (after unescaping, in UTF-8 bytes)
    qsizetype maxMembers = 100'000;    ///< members of one object / elements of one array
};

/// Strict RFC 8259 JSON reader for untrusted input (tokens, API bodies, entity files).
/// Unlike QJsonDocument it rejects duplicate object keys, invalid UTF-8, lone surrogates,
/// trailing data, leading zeros and control characters in strings, and enforces Limits.
/// Integers that fit in 64 bits are kept exact (QJsonValue holds a qint64; read them with
/// toInteger()), as are integral values written with a fraction or exponent (1e3, 20.0, -0.0 is
/// 0); other numbers become doubles. Numbers that overflow or underflow a double are rejected.
/// On error the Error's path is "line:column" (1-based, column in bytes) and code is "json".
Result<QJsonValue> parse(QByteArrayView text, const Limits &limits = {});

/// What kind of problem made parse() fail, for callers that must report some of them under
/// their own error code (JOSE: duplicate member names). NotAnObject: valid JSON, but not the
/// object an ObjectText must hold (parse() never reports it).
enum class Failure { None, Syntax, DuplicateKey, Encoding, Limit, NotAnObject };

/// parse(), also telling which kind of failure occurred (None on success).
Result<QJsonValue> parse(QByteArrayView text, const Limits &limits, Failure *failure);

namespace detail {
/// parse() building every value itself instead of handing validated input to Qt's parser;
/// for differential tests and fuzzing, and for ObjectText's scalars (no container to build).
Result<QJsonValue> parseWithOwnBuilder(QByteArrayView text, const Limits &limits);

/// Where a member of a top-level object lies in its text: its name, quotes included, and its value.
struct MemberSpan
{
    qint32 nameBegin;
    qint32 nameSize;
    qint32 valueBegin;
    qint32 valueSize;
    bool escapedName; ///< the name holds an escape, so its bytes are not the name itself
};

/// parse()'s checks and errors alone, building nothing, but appending to `members` where the
/// top-level object's members lie when the document is an object: ObjectText's one pass.
/// Texts of 2 GiB and more fail as over the size limit.
Status validateRecordingMembers(QByteArrayView text, const Limits &limits, Failure *failure, QList<MemberSpan> &members);
} // namespace detail

/// parse(), and additionally requires the document to be an object (JOSE headers, claims, JWKs).
Result<QJsonObject> parseObject(QByteArrayView text, const Limits &limits = {});

} // namespace mandate::json
