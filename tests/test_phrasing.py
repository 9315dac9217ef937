"""Sentences fit to show: the fragment detector and the third-person rewrite (parsers: tables)."""

import pytest

from assistant.phrasing import fragment_share, is_fragment, third_person
from assistant.schema import SentenceCheck


@pytest.mark.parametrize("sentence", [
    "Experimental studies on multiple downstream tasks show that LOOK [12].",  # stops after "that X"
    "leveraging pre [35].",  # lower-case tail, cut on a prefix
    "A new benchmark for video understanding with long clips and",  # ends on a conjunction
    "Results on ImageNet (top-1 accuracy of 84.8% [2].",  # unbalanced bracket
    "Large-scale pretraining of vision transformers for dense prediction [3].",  # no verb
    "TinyCLIP distils [1].",  # too short to say anything
])
def test_fragments_are_recognised(sentence):
    assert is_fragment(sentence)


@pytest.mark.parametrize("sentence", [
    "TinyCLIP reduces the size of CLIP ViT-B/32 by 50% [1].",
    "Experiments on ImageNet-1K, ADE20K and NYUv2 show that SN-Netv2 outperforms SN-Net [4].",
    "Three papers distil CLIP-style models into small students [1][2][3].",
    "The logits of large teacher models are sparsified and stored in advance [2].",
])
def test_whole_sentences_are_not_fragments(sentence):
    assert not is_fragment(sentence)


@pytest.mark.parametrize("sentence, expected", [
    ("In this paper, we propose TinyCLIP, a cross-modal distillation method.",
     "TinyCLIP is a cross-modal distillation method."),  # not "TinyCLIP proposes TinyCLIP, ..."
    ("We present TinyCLIP (TC), the first cross-modal distillation method.",
     "TinyCLIP (TC) is the first cross-modal distillation method."),
    ("We study TinyCLIP, a distilled CLIP.", "The paper studies TinyCLIP, a distilled CLIP."),
    ("We introduce TinyCLIP to distil CLIP.", "The paper introduces TinyCLIP to distil CLIP."),
    ("We release the TinyCLIP, a small model.", "The TinyCLIP is a small model."),
    ("We introduce the TinyCLIP pipeline, a data engine.", "The paper introduces the TinyCLIP pipeline, a data engine."),
    ("To address this, we introduce a dynamic low-rank adaptation technique.",
     "DyLoRA introduces a dynamic low-rank adaptation technique."),
    ("We study scaling laws of diffusion transformers.", "DyLoRA studies scaling laws of diffusion transformers."),
    ("WavLM jointly learns masked speech prediction and denoising.",
     "WavLM jointly learns masked speech prediction and denoising."),
    ("We then design a resource-constrained sampling strategy for our space.", None),  # "we then", "our"
    ("Our results show that data diversity matters.", None),
])
def test_first_person_is_rewritten_only_when_safe(sentence, expected):
    name = "TinyCLIP" if "TinyCLIP" in sentence else "DyLoRA"
    assert third_person(sentence, name) == expected


def test_a_name_broken_across_the_abstracts_lines_is_still_the_papers_name():
    assert third_person("In this paper, we propose Information Gain-based Policy\nOptimization (IGPO), a simple "
                        "RL framework.", "Information Gain-based Policy Optimization") == \
        "Information Gain-based Policy\nOptimization (IGPO) is a simple RL framework."


def test_fragment_share_counts_shown_sentences_only():
    checks = [SentenceCheck("leveraging pre [35].", "", (35,), 1.0, True, "kept"),
              SentenceCheck("TinyCLIP reduces the size of CLIP by 50% [1].", "", (1,), 1.0, True, "kept"),
              SentenceCheck("", "cut off", (), 0.0, False, "dropped")]
    assert fragment_share(checks) == 0.5
    assert fragment_share([]) == 0.0
