// SPDX-License-Identifier: Apache-2.0
#include "ConnectionBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>

namespace mandate::ui {

ConnectionBanner::ConnectionBanner(QWidget *parent)
    : QFrame(parent), m_icon(new QLabel(this)), m_text(new QLabel(this)),
      m_retry(new QPushButton(tr("&Retry"), this)), m_manage(new QPushButton(tr("&Connections…"), this))
{
    setObjectName(QStringLiteral("connectionBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_text->setObjectName(QStringLiteral("bannerMessage"));
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_retry->setObjectName(QStringLiteral("retryButton"));
    m_manage->setObjectName(QStringLiteral("manageButton"));
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_retry, 0, Qt::AlignVCenter);
    layout->addWidget(m_manage, 0, Qt::AlignVCenter);
    connect(m_retry, &QPushButton::clicked, this, &ConnectionBanner::retryRequested);
    connect(m_manage, &QPushButton::clicked, this, &ConnectionBanner::manageRequested);
    hide();
}

void ConnectionBanner::showProblem(const QString &headline, const QString &detail)
{
    QPalette p = palette();
    p.setColor(QPalette::Window, QColor(0xd3, 0x2f, 0x2f, 40));
    setPalette(p);
    const int size = style()->pixelMetric(QStyle::PM_MessageBoxIconSize) / 2 + 8;
    m_icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(size, size));
    m_text->setText(QStringLiteral("<b>%1</b><br>%2").arg(headline.toHtmlEscaped(), detail.toHtmlEscaped()));
    m_retry->show();
    show();
}

void ConnectionBanner::showInfo(const QString &text)
{
    QPalette p = palette();
    p.setColor(QPalette::Window, QColor(0x2f, 0x6f, 0xd0, 40));
    setPalette(p);
    const int size = style()->pixelMetric(QStyle::PM_MessageBoxIconSize) / 2 + 8;
    m_icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxInformation).pixmap(size, size));
    m_text->setText(text.toHtmlEscaped());
    m_retry->hide();
    show();
}

QString ConnectionBanner::text() const
{
    return m_text->text();
}

} // namespace mandate::ui
