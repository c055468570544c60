// SPDX-License-Identifier: Apache-2.0
#include "LineageNodeItem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace mandate::ui {

namespace {

/// Below this scale a label is too small to read; the node is drawn as a plain shape.
constexpr qreal kLabelDetail = 0.4;

} // namespace

LineageNodeItem::LineageNodeItem(Content content, const LineageStyle &style)
    : m_content(std::move(content)), m_style(style), m_size(LineageStyle::nodeSize(m_content.kind))
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(false);
    setToolTip(m_content.title + u'\n' + m_content.subtitle);
}

QRectF LineageNodeItem::rect() const
{
    return QRectF(QPointF(-m_size.width() / 2, -m_size.height() / 2), m_size);
}

QColor LineageNodeItem::overviewColor() const
{
    const LineageStyle::Colors colors = m_style.node(m_content.kind, m_content.decision, m_content.flagged);
    const bool denied = m_content.kind == QLatin1String("call") && m_content.decision != QLatin1String("allow");
    return denied || m_content.flagged || m_content.kind != QLatin1String("call") ? colors.border : colors.fill;
}

QRectF LineageNodeItem::boundingRect() const
{
    return QRectF(QPointF(-m_size.width() / 2, -m_size.height() / 2), m_size).adjusted(-4, -4, 26, 4); // room for the collapsed badge
}

QPainterPath LineageNodeItem::outline() const
{
    const QRectF r(QPointF(-m_size.width() / 2, -m_size.height() / 2), m_size);
    QPainterPath path;
    if (m_content.kind == QLatin1String("human")) {
        path.addRoundedRect(r, r.height() / 2, r.height() / 2);
    } else if (m_content.kind == QLatin1String("agent")) {
        const qreal inset = r.height() / 3;
        path.moveTo(r.left(), r.center().y());
        path.lineTo(r.left() + inset, r.top());
        path.lineTo(r.right() - inset, r.top());
        path.lineTo(r.right(), r.center().y());
        path.lineTo(r.right() - inset, r.bottom());
        path.lineTo(r.left() + inset, r.bottom());
        path.closeSubpath();
    } else if (m_content.kind == QLatin1String("execution")) {
        path.addRoundedRect(r, 8, 8);
    } else {
        path.addRoundedRect(r, 3, 3);
    }
    return path;
}

QPainterPath LineageNodeItem::shape() const
{
    return outline();
}

void LineageNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const LineageStyle::Colors colors = m_style.node(m_content.kind, m_content.decision, m_content.flagged);
    const qreal detail = option->levelOfDetailFromTransform(painter->worldTransform());
    if (detail < LineageStyle::kOverviewDetail && !isSelected())
        return;  // the overview item draws the whole graph at once
    const bool denied = m_content.kind == QLatin1String("call") && m_content.decision != QLatin1String("allow");
    const QRectF r(QPointF(-m_size.width() / 2, -m_size.height() / 2), m_size);
    if (detail < kLabelDetail) {
        // Far out: one flat shape, no text, no antialiasing cost.
        painter->fillRect(r, isSelected() ? m_style.selection() : overviewColor());
        return;
    }

    QPen pen(isSelected() ? m_style.selection() : colors.border, isSelected() ? 3 : (denied || m_content.flagged ? 2.2 : 1.3));
    if (m_content.revoked)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(colors.fill);
    const QPainterPath path = outline();
    painter->drawPath(path);

    qreal textLeft = r.left() + 12;
    if (m_content.kind == QLatin1String("call")) {
        // A coloured tag on the left says the decision at a glance.
        painter->save();
        painter->setClipPath(path);
        painter->fillRect(QRectF(r.left(), r.top(), 6, r.height()), colors.border);
        painter->restore();
        textLeft = r.left() + 14;
    } else if (m_content.kind == QLatin1String("agent")) {
        textLeft = r.left() + r.height() / 3 + 2;
    } else if (m_content.kind == QLatin1String("human")) {
        textLeft = r.left() + r.height() / 2 - 4;
    }
    const qreal textRight = r.right() - (m_content.kind == QLatin1String("agent") ? r.height() / 3 + 2 : 10);

    QFont titleFont = painter->font();
    titleFont.setPixelSize(13);
    titleFont.setBold(true);
    QFont smallFont = painter->font();
    smallFont.setPixelSize(11);
    const qreal width = textRight - textLeft;
    painter->setPen(colors.text);
    painter->setFont(titleFont);
    const QFontMetricsF titleMetrics(titleFont);
    QString badge;
    if (denied)
        badge = QStringLiteral("\u2715 ");
    else if (m_content.flagged)
        badge = QStringLiteral("\u2691 ");
    painter->drawText(QRectF(textLeft, r.top() + 5, width, r.height() / 2 - 3), Qt::AlignLeft | Qt::AlignVCenter,
                      titleMetrics.elidedText(badge + m_content.title, Qt::ElideRight, width));
    painter->setFont(smallFont);
    QColor subtle = colors.text;
    subtle.setAlphaF(0.72);
    painter->setPen(subtle);
    // Elided in the middle: execution ids start with their mint time, siblings differ at the end.
    painter->drawText(QRectF(textLeft, r.center().y() + 1, width, r.height() / 2 - 6), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetricsF(smallFont).elidedText(m_content.subtitle, Qt::ElideMiddle, width));

    if (m_content.hiddenBelow >= 0) {
        // Collapsed: a badge on the right edge with the number of hidden nodes.
        const QString text = QStringLiteral("+%1").arg(m_content.hiddenBelow);
        const qreal w = QFontMetricsF(smallFont).horizontalAdvance(text) + 10;
        const QRectF b(r.right() - w / 2, r.center().y() - 9, w, 18);
        painter->setPen(Qt::NoPen);
        painter->setBrush(colors.border);
        painter->drawRoundedRect(b, 9, 9);
        painter->setPen(m_style.background());
        painter->drawText(b, Qt::AlignCenter, text);
    }
}

} // namespace mandate::ui
