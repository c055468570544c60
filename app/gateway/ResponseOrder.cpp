// SPDX-License-Identifier: Apache-2.0
#include "ResponseOrder.h"

#include <QTcpSocket>

namespace mandate::gateway {

ResponseOrder::ResponseOrder(QTcpSocket *socket) : QObject(socket) {}

ResponseOrder *ResponseOrder::of(QTcpSocket *socket)
{
    if (auto *order = socket->findChild<ResponseOrder *>(QString(), Qt::FindDirectChildrenOnly))
        return order;
    return new ResponseOrder(socket);
}

quint64 ResponseOrder::take(QTcpSocket *socket)
{
    return of(socket)->m_taken++;
}

quint64 ResponseOrder::taken(QTcpSocket *socket)
{
    return of(socket)->m_taken;
}

quint64 ResponseOrder::outstanding(QTcpSocket *socket)
{
    const ResponseOrder *order = of(socket);
    return order->m_taken - order->m_written;
}

void ResponseOrder::deliver(QTcpSocket *socket, quint64 place, Write write)
{
    ResponseOrder *order = of(socket);
    order->m_waiting.emplace(place, std::move(write));
    // Everything now in line goes out; a later answer waits for the one before it.
    for (auto next = order->m_waiting.find(order->m_written); next != order->m_waiting.end();
         next = order->m_waiting.find(order->m_written)) {
        const Write ready = std::move(next->second);
        order->m_waiting.erase(next);
        ++order->m_written;
        ready();
    }
}

} // namespace mandate::gateway
