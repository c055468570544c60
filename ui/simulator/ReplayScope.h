// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QString>
#include <QUrlQuery>

namespace mandate::ui {

/// Which recorded traffic to replay: a time range and optional agent, tool and human, as the
/// items of GET /v1/audit (only decision records: they carry the Cedar request).
struct ReplayScope
{
    QDateTime from;
    QDateTime to;
    QString agent;
    QString tool;
    QString human;

    QUrlQuery toQuery() const
    {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("event"), QStringLiteral("decision"));
        if (from.isValid())
            query.addQueryItem(QStringLiteral("from"), from.toUTC().toString(Qt::ISODateWithMs));
        if (to.isValid())
            query.addQueryItem(QStringLiteral("to"), to.toUTC().toString(Qt::ISODateWithMs));
        for (const auto &[name, value] : {std::pair{QStringLiteral("agent"), agent}, std::pair{QStringLiteral("tool"), tool},
                                          std::pair{QStringLiteral("human"), human}}) {
            if (!value.trimmed().isEmpty())
                query.addQueryItem(name, value.trimmed());
        }
        return query;
    }
};

} // namespace mandate::ui
