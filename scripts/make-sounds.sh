#!/usr/bin/env bash
# Makes the prompts that Asterisk's core English set lacks, reproducibly: espeak-ng speaks,
# sox turns it into what Asterisk plays best (8 kHz, mono, 16-bit WAV, about -3 dBFS).
# Core prompts used as they are: conf-getconfno conf-getpin conf-invalid conf-invalidpin
# conf-enteringno conf-onlyperson conf-thereare conf-otherinparty goodbye ss-noservice digits/* letters/*
# conf-waitforleader conf-leaderhasleft conf-lockednow conf-unlockednow conf-now-recording beep
# vm-rec-name conf-hasjoin conf-hasleft vm-enter-num-to-call calling number-not-answering.
set -euo pipefail
cd "$(dirname "$0")/../sounds"
command -v espeak-ng >/dev/null && command -v sox >/dev/null || {
  echo "needs espeak-ng and sox: apt-get install espeak-ng sox" >&2; exit 1; }

say() { # name, text
  espeak-ng -v en-us -s 150 -w "/tmp/$1.raw.wav" "$2"
  sox "/tmp/$1.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$1.wav" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.1 0.2 norm -3
  rm -f "/tmp/$1.raw.wav"
}

say service-unavailable "The conference service is not available. Goodbye."
say external-not-allowed "Calls from outside are not allowed to use the conference service. Goodbye."
say external-may-not-start "Callers from outside can only join a conference that is already running."
say no-free-room "There is no free conference room. Please try again later."
say your-conference-number-is "Your conference number is"
say pin-locked "Too many wrong PINs. Please try again later."
say conference-full "This conference is full."
say conference-locked "This conference is locked."
say too-many-conferences "No more conferences can be started at the moment."
# The help is told from the key map in force: each phrase is followed by its key (media.ts).
say help-mute "To mute or unmute, press"
say help-count "For the number of participants, press"
say help-number "For the conference number, press"
say help-leave "To leave, press"
say help-again "To hear this again, press"
say muted "You are muted."
say unmuted "You are no longer muted."
say reconnected "You are reconnected to the conference."
# Leaders and raised hands (README, "Permanent rooms and leaders").
say help-hand "To raise or lower your hand, press"
say help-lock "To lock or unlock the conference, press"
say help-lecture "To mute or unmute all participants, press"
say help-next-hand "To unmute the next raised hand, press"
say help-remove "To remove the last participant who joined, press"
say help-end "To end the conference for everyone, press"
say help-record "To start or stop recording the conference, press"
say hand-raised "Your hand is raised."
say hand-lowered "Your hand is lowered."
say a-hand-is-raised "A participant has raised a hand."
say hands-raised "Raised hands:"
say recording-unavailable "The conference cannot be recorded now."
# Dial-out (README, "Calling someone into the room").
say help-dial-out "To call someone into the conference, press"
say dial-out-no-number "No number to call was entered."
say dial-out-answered "The call was answered."
say dial-out-joined "The person you called has joined."
say dial-out-declined "The person you called did not join."
say dial-out-refused "The call was refused."
say dial-out-failed "The call could not be made."
say dial-out-not-allowed "That number may not be called from this conference."
say dial-out-too-many "Too many calls are under way from this conference. Please wait."
say invited "You are invited to conference"
say press-1-to-join "To join, press 1. To decline, hang up."
say no-hands "No hands are raised."
say ask-to-speak "To ask to speak, press"
say muted-by-leader "The leader has muted the participants."
say all-muted "All participants are muted."
say all-unmuted "All participants are unmuted."
say you-may-speak "The leader has unmuted you. You may speak now."
say hand-unmuted "The participant is unmuted."
say removed "The leader has removed you from the conference. Goodbye."
say last-removed "The last participant who joined has been removed."
say nobody-to-remove "There is no participant to remove."
say conference-ended "This conference has ended. Goodbye."
# Two short beeps, rising for a join and falling for a leave.
sox -n -r 8000 -c 1 -b 16 -e signed-integer /tmp/hi.wav synth 0.12 sine 880
sox -n -r 8000 -c 1 -b 16 -e signed-integer /tmp/lo.wav synth 0.12 sine 660
sox -n -r 8000 -c 1 -b 16 -e signed-integer /tmp/gap.wav trim 0 0.04
sox /tmp/lo.wav /tmp/gap.wav /tmp/hi.wav join-tone.wav norm -6
sox /tmp/hi.wav /tmp/gap.wav /tmp/lo.wav leave-tone.wav norm -6
rm -f /tmp/hi.wav /tmp/lo.wav /tmp/gap.wav
echo "made $(ls *.wav | wc -l) prompts in sounds/"
