// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "simulate/Replay.h"

#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace mandate::ui {

/// One request, edited by hand or started from a recorded one, decided under the candidate
/// policy set: the decision, the policies that determined it and the errors, in words that
/// tell "forbidden by a policy" apart from "no permit matched".
class WhatIfPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WhatIfPanel)

public:
    /// Builds a replayer for the current candidate (or says why it cannot).
    using ReplayerSource = std::function<Result<simulate::Replayer>()>;

    explicit WhatIfPanel(ReplayerSource replayer, QWidget *parent = nullptr);

    /// Offers these recorded requests to start from (newest replay's first ones).
    void setRecorded(const std::vector<simulate::RecordedRequest> &recorded);
    /// Fills the form from a recorded request and decides it.
    void loadRecorded(const simulate::RecordedRequest &recorded);
    /// The request as the form describes it, or why it is not one.
    Result<QJsonObject> request() const;
    /// Decides the form's request under the candidate now.
    void decide();
    std::optional<simulate::Outcome> lastOutcome() const { return m_outcome; }

    /// "Type::\"id\"" or a JSON {"type","id"} object, as the Cedar JSON request wants it.
    static Result<QJsonObject> entityFromText(const QString &text);
    static QString entityToText(const QJsonValue &uid);
    /// The sentence under the verdict.
    static QString verdictText(const simulate::Outcome &outcome);

private:
    void showOutcome(const simulate::Outcome &outcome);
    void showProblem(const QString &message);

    ReplayerSource m_replayer;
    std::vector<simulate::RecordedRequest> m_recorded;
    std::optional<simulate::RecordedRequest> m_loaded;
    std::optional<simulate::Outcome> m_outcome;
    QComboBox *m_recordedBox;
    QLineEdit *m_principal;
    QLineEdit *m_action;
    QLineEdit *m_resource;
    QPlainTextEdit *m_context;
    QPlainTextEdit *m_entities;
    QPushButton *m_decide;
    QLabel *m_verdict;
    QLabel *m_explanation;
    QLabel *m_recordedVerdict;
    QListWidget *m_policies;
    QListWidget *m_errors;
};

} // namespace mandate::ui
