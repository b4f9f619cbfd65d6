"""Identity and trace codes (标识码与追溯码): formats, QR codes and printable labels; pure logic, no AWS."""
