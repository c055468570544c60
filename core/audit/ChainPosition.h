// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace mandate::audit {

/// Where an export stands in one gateway's chain: the sequence and hash of its newest record.
struct ChainPosition
{
    qint64 sequence = 0;
    QByteArray hash;  ///< 32 bytes
};

} // namespace mandate::audit
