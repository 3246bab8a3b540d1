"""What many tests share: store shortcuts, a connected seller, the `meli` runner, shops and a wired world."""
