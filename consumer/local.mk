# consumer/
