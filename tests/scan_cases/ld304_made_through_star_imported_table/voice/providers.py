from voice.speakers import *

SPEAKERS = {"cloud": CloudSpeaker}


def local_speaker() -> LocalSpeaker:
    return LocalSpeaker()
