"""Hand-written faithful paraphrases of real abstract sentences of data/daily_papers.

Each is (title prefix, a fragment locating the source sentence, the paraphrase). Every paraphrase
says only what its source sentence says, in other words, as a model answering from it might.
"""

HAND_PARAPHRASES = [
    ("TinyCLIP", "Weight inheritance transmits",
     "Weight inheritance passes the pre-trained weights of the teacher models on to the student models."),
    ("TinyCLIP", "reduce the size of the pre-trained",
     "TinyCLIP can cut the size of the pre-trained CLIP ViT-B/32 by 50% with comparable zero-shot performance."),
    ("TinyCLIP", "speed up the training by",
     "Weight inheritance makes distillation training 1.4 - 7.8 times faster than training from scratch."),
    ("TinyCLIP", "introduces two core techniques",
     "Two core techniques are introduced: affinity mimicking and weight inheritance."),
    ("BLEUBERI", "Based on this insight",
     "BLEUBERI applies GRPO with BLEU as the reward function, after identifying challenging instructions."),
    ("BLEUBERI", "more factually grounded",
     "Outputs of BLEUBERI models are more factually grounded than those of competing methods."),
    ("BLEUBERI", "surprisingly matches",
     "BLEU, a simple string-matching metric, matches strong reward models in agreement with human preferences."),
    ("Mask3D", "we propose Mask3D",
     "Mask3D leverages existing large-scale RGB-D data in self-supervised pre-training to embed 3D priors "
     "into 2D learned feature representations."),
    ("Mask3D", "notably outperforms",
     "Mask3D outperforms existing self-supervised 3D pre-training approaches on ScanNet, NYUv2 and Cityscapes."),
    ("Mask3D", "formulate a pre-text reconstruction task",
     "The pre-text task reconstructs masked RGB and depth patches in individual RGB-D frames."),
    ("Swin3D", "We pretrained a large",
     "A large model was pretrained on the synthetic Structured3D dataset, which is an order of magnitude "
     "larger than ScanNet."),
    ("Oscillation-free Quantization", "aggravates weight oscillation",
     "The learnable scaling factor, a widely-used setting in quantization, makes weight oscillation worse."),
    ("OmniAudio", "We first create Sphere360",
     "The authors create Sphere360, a new dataset for this task curated from real-world data."),
    ("Model Stock", "Breaking away from traditional practices",
     "The approach uses significantly fewer fine-tuned models to achieve its final weights, yet yields "
     "superior accuracy."),
    ("Unsupervised Feature Learning via Non-Parametric", "We formulate this intuition",
     "Noise-contrastive estimation is used to tackle the computational challenges imposed by the large "
     "number of instance classes."),
    ("Scaling Vision Transformers to 22", "At present, the largest",
     "The largest large language models today have upwards of 100B parameters."),
    ("EarthPT", "EarthPT is a 700 million parameter",
     "EarthPT is a 700 million parameter decoding transformer trained autoregressively in a "
     "self-supervised manner."),
    ("MixtureGrowth", "If expanding the network",
     "Expanding the size of the network requires an expensive retraining from scratch."),
    ("Factorized-Dreamer", "publicly available limited",
     "Publicly available limited and low-quality data are enough to train a high-quality video generator "
     "without recaptioning or finetuning."),
    ("InstaTune", "Optimal sub-networks are then extracted",
     "Optimal sub-networks for different hardware platforms are then extracted from the trained super-network."),
    ("UniPT", "updating the parameters of entire networks",
     "Updating the parameters of an entire network is computationally intensive."),
    ("DVPT", "Large pre-trained models contain rich",
     "Large pre-trained models hold rich representations that can be adapted to downstream medical tasks."),
    ("SPDF", "Scaling the model and dataset size",
     "Scaling model and dataset size has improved the performance of LLMs, but it also led to prohibitive "
     "computational costs."),
    ("GLM-130B", "It is an attempt to open-source",
     "The work attempts to open-source a 100B-scale model that is at least as good as GPT-3."),
    ("POA", "Most pre-training methodologies train",
     "Most pre-training methods train one single model of a certain size at a time."),
    ("Align and Prompt", "Most previous methods capture",
     "Most previous methods capture cross-modal interactions with a transformer-based multimodal encoder."),
    ("Automatic Shortcut Removal", "A central challenge in this approach",
     "The feature extractor quickly learns to exploit low-level visual features such as color aberrations "
     "and then fails to learn useful semantic representations."),
    ("SceneSplat", "Currently, all existing methods",
     "All existing methods currently rely on 2D or textual modalities during training."),
    ("UniGraph", "graph learning has predominantly focused",
     "Graph learning has mostly focused on single-graph models tailored to specific tasks or datasets."),
    ("NuTime", "it has been limited to small-scale",
     "It has been limited to small-scale datasets of thousands of temporal sequences."),
    ("Simple Open-Vocabulary Object Detection", "pre-training and scaling approaches are less well",
     "For object detection, pre-training and scaling approaches are less well established, especially "
     "in the long-tailed and open-vocabulary setting."),
    ("MAMMAL", "We introduce a prompt syntax",
     "The authors introduce a prompt syntax supporting a wide range of classification, regression and "
     "generation tasks."),
    ("Towards All-in-one Pre-training", "combining multiple pre-training strategies",
     "Combining multiple pre-training strategies and data from various sources can greatly boost the "
     "training of large-scale models."),
    ("Unified Embedding", "A typical model ingests",
     "A typical model ingests hundreds of features whose vocabularies range from millions to billions of tokens."),
]
