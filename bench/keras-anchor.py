"""Keras anchor of bench/train-throughput.ts: the reference CNN (src/models/reference-cnn.ts) trained
with the same batch (128 random 28x28x1 images), optimizer (Adam 1e-3) and loss (softmax cross
entropy on logits), one tf.function step, on the TensorFlow that scripts/setup.sh installed
(.morphsweep/tf-venv, or tf-gpu-venv with --device gpu).

  .morphsweep/tf-venv/bin/python bench/keras-anchor.py --threads 2 [--steps 20] [--device cpu|gpu]

Prints one line `RESULT {json}` with the same fields as the TF.js children of train-throughput.ts.
"""
import argparse
import json
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
parser.add_argument("--inter-op-threads", type=int, default=1, help="TensorFlow's inter-op pool (0: its default, one per core)")
args = parser.parse_args()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if args.device == "cpu":
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
import tensorflow as tf  # noqa: E402  (after the environment it reads at import)

# By default the same pool sizes as the TF.js native engine (src/engine/native-backend.ts): an eager
# engine runs one op at a time, while a graph with an inter-op pool runs independent ops (a conv's
# input and filter gradients) side by side on other cores even at intra-op 1.
tf.config.threading.set_intra_op_parallelism_threads(args.threads)
tf.config.threading.set_inter_op_parallelism_threads(args.inter_op_threads)

batch_size, image_size, num_classes = 128, 28, 10
layers = tf.keras.layers
inputs = tf.keras.Input((image_size, image_size, 1))
x = inputs
for filters, stride in [(32, 1), (64, 2), (128, 2)]:
    x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False, kernel_initializer="he_normal")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99)(x)
    x = layers.ReLU()(x)
x = layers.GlobalAveragePooling2D()(x)
logits = layers.Dense(num_classes)(x)
model = tf.keras.Model(inputs, logits)
optimizer = tf.keras.optimizers.Adam(1e-3)
loss_fn = tf.keras.losses.CategoricalCrossentropy(from_logits=True)

images = tf.random.normal([batch_size, image_size, image_size, 1], seed=1)
labels = tf.one_hot(tf.random.uniform([batch_size], 0, num_classes, dtype=tf.int32, seed=2), num_classes)


@tf.function
def train_step():
    with tf.GradientTape() as tape:
        loss = loss_fn(labels, model(images, training=True))
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    return loss


for _ in range(3):  # trace + warm-up
    train_step().numpy()
step_ms = []
start, cpu_start = time.perf_counter(), time.process_time()
for _ in range(args.steps):
    step_start = time.perf_counter()
    train_step().numpy()
    step_ms.append((time.perf_counter() - step_start) * 1000)
wall_ms = (time.perf_counter() - start) * 1000
cpu_ms = (time.process_time() - cpu_start) * 1000
step_ms.sort()
median = (step_ms[(args.steps - 1) // 2] + step_ms[args.steps // 2]) / 2
devices = [d.name for d in tf.config.list_logical_devices()]
print("RESULT " + json.dumps({
    "label": "",
    "backend": f"keras {tf.keras.__version__} / TensorFlow {tf.__version__} ({', '.join(devices)})",
    "threads": args.threads,
    "msPerStep": wall_ms / args.steps,
    "medianMsPerStep": median,
    "cpuMsPerStep": cpu_ms / args.steps,
    "steps": args.steps,
}))
