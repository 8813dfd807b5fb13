# www/
