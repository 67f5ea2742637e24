"""A small convolutional network on Fashion-MNIST, trained with fchain's Trainer."""
