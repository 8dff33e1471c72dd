#!/usr/bin/env python3
"""NLTK's WordNet reader on the same database files, as the reference for oodsynth's reader.

usage: wordnet_peer.py WORDNET_DIR WORD...

Prints JSON: for each word, its noun synsets through NLTK's morphy ("offset-pos", in sense order),
its morphy base forms, and for its first synset the lemmas, hypernyms, hyponyms, part meronyms and the
size of the full hyponym closure. NLTK wants a `lexnames` file the Debian package does not ship, so
the files are copied into a temporary folder beside the standard lexnames list.
"""
import json
import warnings
import os
import shutil
import sys
import tempfile

import nltk
from nltk.corpus.reader.wordnet import WordNetCorpusReader


LEXNAMES = ["adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
            "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
            "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
            "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
            "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
            "verb.communication", "verb.competition", "verb.consumption", "verb.contact", "verb.creation",
            "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social", "verb.stative",
            "verb.weather", "adj.ppl"]


class Reader(WordNetCorpusReader):
    """NLTK's reader without its mapping to NLTK's bundled WordNet (only for multilingual data,
    which needs a download this machine cannot make)."""

    def map_wn(self, version="wordnet"):
        return None


def key(synset):
    return f"{synset.offset():08d}-{'a' if synset.pos() == 's' else synset.pos()}"


def main():
    warnings.simplefilter("ignore")  # "multilingual functions are not available": we use none
    source, words = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as root:
        for name in os.listdir(source):
            if os.path.isfile(os.path.join(source, name)):
                shutil.copyfile(os.path.join(source, name), os.path.join(root, name))
        with open(os.path.join(root, "lexnames"), "w") as f:
            for number, name in enumerate(LEXNAMES):
                f.write(f"{number:02d}\t{name}\t{0}\n")
        # NLTK only opens files under its data path (and refuses links out of the corpus root).
        nltk.data.path.append(os.path.realpath(root))
        wn = Reader(root, None)
        result = {}
        for word in words:
            synsets = wn.synsets(word.replace(" ", "_"), pos="n")
            entry = {"synsets": [key(s) for s in synsets], "morphy": wn._morphy(word.lower().replace(" ", "_"), "n")}
            if synsets:
                first = synsets[0]
                entry["lemmas"] = [l.name() for l in first.lemmas()]
                entry["hypernyms"] = sorted(key(s) for s in first.hypernyms() + first.instance_hypernyms())
                entry["hyponyms"] = sorted(key(s) for s in first.hyponyms() + first.instance_hyponyms())
                entry["part_meronyms"] = sorted(key(s) for s in first.part_meronyms())
                entry["hyponym_closure"] = len(set(first.closure(lambda s: s.hyponyms() + s.instance_hyponyms())))
            result[word] = entry
        adjective = wn.synsets("red", pos="a")
        result["#red-adjective"] = {"synsets": [key(s) for s in adjective]}
        print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
