// SPDX-License-Identifier: Apache-2.0
#include "RecordForm.h"

#include "FieldErrorLabel.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace mandate::ui {

RecordForm::RecordForm(RegistryDocument *document, QString errorPrefix, QWidget *parent)
    : QWidget(parent), m_document(document), m_errorPrefix(std::move(errorPrefix))
{
}

void RecordForm::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    refresh();
}

void RecordForm::addTitle(QVBoxLayout *outer, const QString &objectName)
{
    m_title = new QLabel(this);
    m_title->setObjectName(objectName);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_title->setContentsMargins(6, 6, 6, 6);
    m_title->setWordWrap(true);
    m_title->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    outer->addWidget(m_title);
}

QFormLayout *RecordForm::newForm(QWidget *page)
{
    auto *form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    return form;
}

FieldErrorLabel *RecordForm::addRow(QFormLayout *layout, const QString &label, QWidget *field, const QString &key)
{
    auto *box = new QWidget(this);
    auto *column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    column->addWidget(field);
    box->setFocusProxy(field);  // the label's mnemonic focuses the editor
    box->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);  // rows never grow taller than their editor
    auto *error = new FieldErrorLabel(box);
    error->setObjectName(m_errorPrefix + key);
    column->addWidget(error);
    layout->addRow(label, box);
    m_errorLabels.insert(key, error);
    return error;
}

void RecordForm::showErrors(const QHash<QString, QStringList> &errors) const
{
    for (auto it = m_errorLabels.cbegin(); it != m_errorLabels.cend(); ++it)
        it.value()->setErrors(errors.value(it.key()));
}

} // namespace mandate::ui
