// The earlier names of wrongbox/check.h, kept so that code written against
// them still builds (with a deprecation warning): the in-process search was
// called a "campaign", which is now only the name of `wrongbox campaign`, the
// whole CI job. New code includes wrongbox/check.h.
#pragma once

#include <string>

#include "wrongbox/check.h"

namespace wrongbox {

using CampaignSettings [[deprecated("use wrongbox::CheckSettings (wrongbox/check.h)")]] =
    CheckSettings;
using CampaignOutcome [[deprecated("use wrongbox::CheckOutcome (wrongbox/check.h)")]] =
    CheckOutcome;

[[deprecated("use wrongbox::check_switch (wrongbox/check.h)")]] inline CheckOutcome run_campaign(
    Switch& sw, const std::string& name, const CheckSettings& settings) {
  return check_switch(sw, name, settings);
}

}  // namespace wrongbox
