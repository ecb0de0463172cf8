"""The Qt window of LR Desk: small views composed by the main window, fed by a worker thread."""
