// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"
#include "identity/Amount.h"

#include <QJsonObject>

#include <vector>

namespace mandate::identity {

/// What a run may spend: tool calls, model tokens and money.
struct Budget
{
    qint64 calls = 0;
    qint64 tokens = 0;
    Amount amount;

    /// True when every dimension of this budget fits within `other`.
    bool fitsWithin(const Budget &other) const
    {
        return calls <= other.calls && tokens <= other.tokens && amount <= other.amount;
    }
    bool operator==(const Budget &) const = default;

    QJsonObject toJson() const;
    static Budget fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors);
};

} // namespace mandate::identity
